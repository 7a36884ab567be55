package org.jvmchat.hub.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.UnauthorizedException;

/**
 * Recognises the user of a hub request (negotiate and every transport request) in a Servlet
 * container, on the container's request thread (it may block). The default, {@link
 * #containerPrincipal()}, takes the user the container (or a security filter in front of the hubs,
 * such as Spring Security's) already authenticated: {@link HttpServletRequest#getUserPrincipal()}.
 */
@FunctionalInterface
public interface ServletAuthenticator {
  /**
   * @return the user, or {@code null} when the request is anonymous
   * @throws UnauthorizedException when it carries credentials that are not valid (answered 401)
   */
  HubUser authenticate(HttpServletRequest request) throws UnauthorizedException;

  /**
   * The container's user: {@link HttpServletRequest#getUserPrincipal()}'s name as the user id and
   * name, or anonymous when there is none.
   */
  static ServletAuthenticator containerPrincipal() {
    return request -> {
      Principal p = request.getUserPrincipal();
      return p == null || p.getName() == null ? null : HubUser.of(p.getName(), p.getName());
    };
  }

  /**
   * One of chat-hub-core's {@link Authenticator}s (e.g. {@code BearerTokenAuthenticator}, {@code
   * JwtBearerAuthenticator}) on the Servlet request: it sees the method, the path within the
   * application, the query parameters, the headers and the remote address, no body. As on the Netty
   * host, the {@code access_token} query parameter reaches it only on GET requests (the transports,
   * where a browser cannot set a header).
   */
  static ServletAuthenticator of(Authenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    return request -> authenticator.authenticate(toHttpRequest(request));
  }

  /**
   * The Servlet request as chat-hub-core's authenticators and admissions see it (no body; without
   * the {@code access_token} query parameter unless it is a GET).
   */
  static HttpRequest toHttpRequest(HttpServletRequest request) {
    // From the query string only: getParameterMap() would read a form body.
    Map<String, List<String>> query = new LinkedHashMap<>();
    String qs = request.getQueryString();
    if (qs != null) {
      for (String pair : qs.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (name.equals("access_token") && !"GET".equals(request.getMethod())) {
          continue;
        }
        query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(request.getHeaderNames())) {
      headers.put(
          name.toLowerCase(Locale.ROOT),
          new ArrayList<>(Collections.list(request.getHeaders(name))));
    }
    String path =
        request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    return new HttpRequest(
        request.getMethod(), path, query, headers, Map.of(), null, request.getRemoteAddr(), null);
  }

  private static String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
