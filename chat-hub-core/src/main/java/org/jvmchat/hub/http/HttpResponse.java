package org.jvmchat.hub.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response from a plain route. */
public record HttpResponse(int status, Map<String, String> headers, byte[] body) {
  public HttpResponse {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  public static HttpResponse of(int status, String contentType, byte[] body) {
    return new HttpResponse(status, Map.of("content-type", contentType), body);
  }

  public static HttpResponse json(int status, byte[] json) {
    return of(status, "application/json", json);
  }

  public static HttpResponse json(int status, String json) {
    return json(status, json.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpResponse text(int status, String text) {
    return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpResponse noContent() {
    return new HttpResponse(204, Map.of(), new byte[0]);
  }

  /** An RFC 9457 problem details body ({@code application/problem+json}). */
  public static HttpResponse problem(int status, String title, String detail) {
    StringBuilder json = new StringBuilder(128);
    json.append("{\"type\":\"about:blank\",\"title\":");
    JsonStrings.quote(json, title);
    json.append(",\"status\":").append(status);
    if (detail != null) {
      json.append(",\"detail\":");
      JsonStrings.quote(json, detail);
    }
    json.append('}');
    return of(status, "application/problem+json", json.toString().getBytes(StandardCharsets.UTF_8));
  }

  public HttpResponse withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name.toLowerCase(java.util.Locale.ROOT), value);
    return new HttpResponse(status, copy, body);
  }

  /** Minimal JSON string quoting for the problem body. */
  static final class JsonStrings {
    private JsonStrings() {}

    static void quote(StringBuilder out, String s) {
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (c < 0x20) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }
}
