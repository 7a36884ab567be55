package org.jvmchat.load.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jvmchat.load.Kind;

/**
 * Where the driver connects: {@code --url} reduced to host and port (a path in it is ignored: the
 * hub is always {@code /hubs/chat}, socket.io always {@code /socket.io/}).
 */
public record Target(Kind kind, String host, int port) {
  public static Target of(Kind kind, String url) {
    URI u = URI.create(url.contains("://") ? url : "http://" + url);
    if (u.getHost() == null) {
      throw new IllegalArgumentException("bad --url " + url);
    }
    int port = u.getPort();
    if (port < 0) {
      port = "https".equals(u.getScheme()) || "wss".equals(u.getScheme()) ? 443 : 80;
    }
    return new Target(kind, u.getHost(), port);
  }

  public URI httpBase() {
    return URI.create("http://" + host + ":" + port);
  }

  /** The WebSocket URI; {@code token} is the chat server's JWT, the user id for socket.io. */
  public URI webSocket(String token) {
    String base = "ws://" + host + ":" + port;
    switch (kind) {
      case CHAT:
        return URI.create(base + "/hubs/chat?access_token=" + enc(token));
      case CEILING:
        return URI.create(base + "/hubs/chat");
      default:
        return URI.create(
            base
                + "/socket.io/?EIO=4&transport=websocket"
                + (token == null ? "" : "&userId=" + enc(token)));
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }
}
