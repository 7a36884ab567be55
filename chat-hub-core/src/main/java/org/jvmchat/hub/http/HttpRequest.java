package org.jvmchat.hub.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jvmchat.hub.HubUser;

/**
 * An HTTP request as plain routes and authenticators see it: no Netty types.
 *
 * @param headers header names in lower case
 * @param pathParameters values of {@code {name}} segments of the route's pattern
 * @param user the user the server's authenticator recognised, or {@code null}
 */
public record HttpRequest(
    String method,
    String path,
    Map<String, List<String>> queryParameters,
    Map<String, List<String>> headers,
    Map<String, String> pathParameters,
    byte[] body,
    String remoteAddress,
    HubUser user) {

  public HttpRequest {
    queryParameters = queryParameters == null ? Map.of() : Map.copyOf(queryParameters);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
    body = body == null ? new byte[0] : body;
  }

  /** The first value of a header (name case-insensitive), or {@code null}. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The first value of a query parameter, or {@code null}. */
  public String query(String name) {
    List<String> values = queryParameters.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  public String pathParameter(String name) {
    return pathParameters.get(name);
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public HttpRequest withUser(HubUser user) {
    return new HttpRequest(
        method, path, queryParameters, headers, pathParameters, body, remoteAddress, user);
  }

  public HttpRequest withPathParameters(Map<String, String> parameters) {
    return new HttpRequest(
        method, path, queryParameters, headers, parameters, body, remoteAddress, user);
  }
}
