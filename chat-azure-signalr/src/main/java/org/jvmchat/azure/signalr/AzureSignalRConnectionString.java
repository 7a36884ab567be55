package org.jvmchat.azure.signalr;

import java.net.URI;
import java.util.Locale;

/**
 * An Azure SignalR Service connection string, {@code
 * Endpoint=https://<name>.service.signalr.net;AccessKey=<key>;Version=1.0;[Port=<port>;]}, as the
 * portal shows it and the official SDK parses it: keys are case-insensitive, {@code Version} must
 * be {@code 1.0} when present, {@code Port} applies to the server and client endpoints (not to the
 * token audiences), and {@code ClientEndpoint} / {@code ServerEndpoint} may override where clients
 * and servers connect. Only access-key authentication is supported (no Microsoft Entra ID).
 *
 * @param endpoint the service's base URL, without a trailing slash (the audiences' base)
 * @param accessKey the key that signs every token (HS256 over its UTF-8 bytes)
 * @param port the port override, or -1
 * @param clientEndpoint the base URL clients are sent to (endpoint and port unless overridden)
 * @param serverEndpoint the base URL server connections go to (endpoint and port unless overridden)
 */
public record AzureSignalRConnectionString(
    String endpoint, String accessKey, int port, String clientEndpoint, String serverEndpoint) {

  /**
   * Parses a connection string.
   *
   * @throws IllegalArgumentException with a message that names what is wrong and never shows the
   *     key
   */
  public static AzureSignalRConnectionString parse(String connectionString) {
    if (connectionString == null || connectionString.isBlank()) {
      throw new IllegalArgumentException("The connection string is empty");
    }
    String endpoint = null;
    String key = null;
    String version = null;
    String port = null;
    String client = null;
    String server = null;
    for (String part : connectionString.split(";")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "Expected Key=Value pairs separated by ';' (Endpoint=https://...;AccessKey=...;"
                + "Version=1.0;)");
      }
      String k = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String v = part.substring(eq + 1).strip();
      switch (k) {
        case "endpoint" -> endpoint = v;
        case "accesskey" -> key = v;
        case "version" -> version = v;
        case "port" -> port = v;
        case "clientendpoint" -> client = v;
        case "serverendpoint" -> server = v;
        default -> {
          // AuthType, ClientId and other keys of Entra ID authentication are not supported
          if (k.equals("authtype") || k.equals("clientid") || k.equals("tenantid")) {
            throw new IllegalArgumentException(
                "Only AccessKey authentication is supported (found " + part.substring(0, eq) + ")");
          }
        }
      }
    }
    if (endpoint == null || endpoint.isEmpty()) {
      throw new IllegalArgumentException("The connection string has no Endpoint");
    }
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("The connection string has no AccessKey");
    }
    if (version != null && !version.equals("1.0")) {
      throw new IllegalArgumentException("Version " + version + " is not supported (only 1.0)");
    }
    String base = url(endpoint, "Endpoint");
    int p = -1;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        p = 0;
      }
      if (p <= 0 || p > 65535) {
        throw new IllegalArgumentException("Port must be 1..65535 (was " + port + ")");
      }
    }
    String withPort = p > 0 ? withPort(base, p) : base;
    String clientBase = client == null ? withPort : url(client, "ClientEndpoint");
    String serverBase = server == null ? withPort : url(server, "ServerEndpoint");
    return new AzureSignalRConnectionString(base, key, p, clientBase, serverBase);
  }

  private static String url(String value, String name) {
    URI u;
    try {
      u = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " is not a URL: " + value);
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new IllegalArgumentException(name + " must be an http(s) URL (was " + value + ")");
    }
    String s = value;
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static String withPort(String base, int port) {
    URI u = URI.create(base);
    return u.getScheme()
        + "://"
        + u.getHost()
        + ":"
        + port
        + (u.getPath() == null ? "" : u.getPath());
  }

  /** The access key is never shown. */
  @Override
  public String toString() {
    return "AzureSignalRConnectionString[endpoint="
        + endpoint
        + (port > 0 ? ", port=" + port : "")
        + "]";
  }
}
