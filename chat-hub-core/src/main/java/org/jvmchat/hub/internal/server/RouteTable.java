package org.jvmchat.hub.internal.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jvmchat.hub.http.HttpRoute;

/** Plain routes with {@code {name}} path segments. */
final class RouteTable {
  record Match(HttpRoute route, Map<String, String> parameters) {}

  private record Compiled(HttpRoute route, String[] segments) {}

  private final List<Compiled> routes = new ArrayList<>();

  RouteTable(List<HttpRoute> routes) {
    for (HttpRoute r : routes) {
      this.routes.add(new Compiled(r, split(r.pattern())));
    }
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }

  /** The route for a method and path; {@code methodMismatch[0]} tells a 405 from a 404. */
  Match find(String method, String path, boolean[] methodMismatch) {
    String[] segments = split(path);
    for (Compiled c : routes) {
      Map<String, String> params = match(c.segments(), segments);
      if (params == null) {
        continue;
      }
      if (c.route().method().equals(method)
          || (method.equals("HEAD") && c.route().method().equals("GET"))) {
        return new Match(c.route(), params);
      }
      methodMismatch[0] = true;
    }
    return null;
  }

  private static Map<String, String> match(String[] pattern, String[] segments) {
    if (pattern.length != segments.length) {
      if (pattern.length > 0
          && pattern[pattern.length - 1].equals("{*}")
          && segments.length >= pattern.length - 1) {
        Map<String, String> params =
            match(
                java.util.Arrays.copyOf(pattern, pattern.length - 1),
                java.util.Arrays.copyOf(segments, pattern.length - 1));
        if (params != null) {
          params.put(
              "*",
              String.join(
                  "/",
                  java.util.Arrays.copyOfRange(segments, pattern.length - 1, segments.length)));
        }
        return params;
      }
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.startsWith("{") && p.endsWith("}")) {
        if (segments[i].isEmpty()) {
          return null;
        }
        params.put(p.substring(1, p.length() - 1), segments[i]);
      } else if (!p.equals(segments[i])) {
        return null;
      }
    }
    return params;
  }
}
