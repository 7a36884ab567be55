package org.jvmchat.hub.internal.server;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Set;

/**
 * Which browser origins may call the server, and the CORS headers they get: the origin is echoed
 * with credentials allowed, never {@code *}; {@code "*"} in the set allows any origin.
 */
final class CorsPolicy {
  private final Set<String> origins;

  CorsPolicy(Set<String> origins) {
    this.origins = Set.copyOf(origins);
  }

  boolean allows(String origin) {
    return origins.contains("*") || origins.contains(origin);
  }

  /** Adds the CORS headers for {@code origin} when it is allowed (and {@code origin} not null). */
  void addHeaders(HttpHeaders h, String origin) {
    if (origin != null && allows(origin)) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      h.add(HttpHeaderNames.VARY, "Origin");
    }
  }

  /**
   * The answer to a preflight ({@code OPTIONS} with an {@code Origin}): 204, with the CORS headers
   * only when the origin is allowed.
   */
  FullHttpResponse preflight(FullHttpRequest req, String origin) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    if (allows(origin)) {
      HttpHeaders h = response.headers();
      addHeaders(h, origin);
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, DELETE, OPTIONS");
      String requested = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
      if (requested != null) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
      }
      h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    }
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    return response;
  }
}
