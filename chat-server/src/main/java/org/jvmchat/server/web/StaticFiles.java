package org.jvmchat.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpResponse;

/**
 * The chat page and its scripts, served from the classpath folder {@code static/}: {@code /}
 * (index.html), {@code /app.js}, {@code /oidc.js} (provider sign-in), {@code /app.css} and {@code
 * /js/<file>} (the official {@code @microsoft/signalr} browser bundles, copied there at build
 * time). Files are read once and kept in memory.
 */
public final class StaticFiles {
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,100}");
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'%s ws: wss:; frame-ancestors 'none'; base-uri 'none'";

  private final ClassLoader loader;
  private final String csp;
  private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

  public StaticFiles() {
    this((String) null);
  }

  /**
   * @param providerOrigin the OpenID Connect provider's origin the page fetches discovery and
   *     tokens from (added to the policy's {@code connect-src}), or null
   */
  public StaticFiles(String providerOrigin) {
    this(StaticFiles.class.getClassLoader(), providerOrigin);
  }

  StaticFiles(ClassLoader loader) {
    this(loader, null);
  }

  StaticFiles(ClassLoader loader, String providerOrigin) {
    this.loader = loader;
    this.csp = String.format(CSP, providerOrigin == null ? "" : " " + providerOrigin);
  }

  public void register(HubServer.Builder server) {
    server.route("GET", "/", r -> serve("index.html"));
    server.route("GET", "/index.html", r -> serve("index.html"));
    server.route("GET", "/app.js", r -> serve("app.js"));
    server.route("GET", "/oidc.js", r -> serve("oidc.js"));
    server.route("GET", "/app.css", r -> serve("app.css"));
    server.route(
        "GET",
        "/js/{file}",
        r -> {
          String name = r.pathParameter("file");
          if (name == null || !SAFE_NAME.matcher(name).matches() || name.contains("..")) {
            return notFound();
          }
          return serve("js/" + name);
        });
  }

  /** Whether a file is on the classpath (the start-up check for the SignalR bundle). */
  public boolean exists(String path) {
    return read(path).isPresent();
  }

  HttpResponse serve(String path) {
    Optional<byte[]> bytes = read(path);
    if (bytes.isEmpty()) {
      return notFound();
    }
    return HttpResponse.of(200, contentType(path), bytes.get())
        .withHeader("cache-control", "no-cache")
        .withHeader("x-content-type-options", "nosniff")
        .withHeader("content-security-policy", csp)
        .withHeader("referrer-policy", "no-referrer");
  }

  private Optional<byte[]> read(String path) {
    return cache.computeIfAbsent(
        path,
        p -> {
          try (InputStream in = loader.getResourceAsStream("static/" + p)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
          } catch (IOException e) {
            return Optional.empty();
          }
        });
  }

  private static HttpResponse notFound() {
    return HttpResponse.problem(404, "Not Found", "No such file.");
  }

  static String contentType(String path) {
    if (path.endsWith(".html")) {
      return "text/html; charset=utf-8";
    } else if (path.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    } else if (path.endsWith(".css")) {
      return "text/css; charset=utf-8";
    } else if (path.endsWith(".map") || path.endsWith(".json")) {
      return "application/json";
    }
    return "application/octet-stream";
  }
}
