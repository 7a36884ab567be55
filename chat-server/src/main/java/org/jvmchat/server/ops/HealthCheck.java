package org.jvmchat.server.ops;

import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;

/**
 * The container image's {@code HEALTHCHECK} (the JRE base image has neither curl nor wget): {@code
 * java -cp chat-server.jar org.jvmchat.server.ops.HealthCheck [url]} asks {@code /health/live} of
 * the server in the same container (port {@code PORT}, default 8080) and exits 0 when it answers
 * 200, else 1.
 */
public final class HealthCheck {
  /** The path asked. */
  public static final String PATH = "/health/live";

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private HealthCheck() {}

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : defaultUrl(System.getenv("PORT"));
    int status = check(URI.create(url));
    if (status != 200) {
      System.err.println("health check: " + url + " answered " + (status < 0 ? "nothing" : status));
    }
    System.exit(status == 200 ? 0 : 1);
  }

  /** {@code http://127.0.0.1:<port>/health/live}; 8080 when the port is unset, blank or 0. */
  static String defaultUrl(String port) {
    String p = port == null || port.isBlank() || port.strip().equals("0") ? "8080" : port.strip();
    return "http://127.0.0.1:" + p + PATH;
  }

  /** The HTTP status of a GET, or -1 when nothing answered within the timeout. */
  static int check(URI url) {
    try {
      HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
      c.setConnectTimeout((int) TIMEOUT.toMillis());
      c.setReadTimeout((int) TIMEOUT.toMillis());
      c.setRequestMethod("GET");
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }
}
