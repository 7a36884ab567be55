package org.jvmchat.server.serverless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;

/**
 * Azure SignalR Service's data-plane REST API, served by this server for its own hubs (serverless
 * mode, {@code CHAT_ACCESS_KEY}): code written against the service's REST API drives this server by
 * changing the endpoint. Implemented: the sends (to all with exclusions, a user, a group with
 * exclusions, a connection) and the group membership of connections, in the 2022-06-01 paths
 * ({@code /api/hubs/{hub}/...}) and the v1 paths ({@code /api/v1/hubs/{hub}/...}). Every request
 * carries a bearer JWT signed (HS256) with the access key whose {@code aud} is the request URL
 * without its query, as the service checks it: {@code 401} without a valid token, {@code 403} for
 * another audience. Sends answer {@code 202}, group changes {@code 200}; errors carry the service's
 * error object {@code {"code","message","target"}}. Sends go through the hub's lifetime manager, so
 * clients on every instance receive them.
 */
public final class ServerlessApi {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern HUB = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

  private final MACVerifier verifier;
  private final Map<String, String> hubPaths;
  private final Function<String, HubContext> contexts;
  private final Clock clock;

  /**
   * @param accessKey the key requests are signed with (at least 32 bytes)
   * @param hubPaths hub paths this server maps, e.g. {@code /hubs/chat}: each is served under the
   *     Azure hub name of its last segment, lower case ({@code chat})
   * @param contexts the hub context of a hub path (resolved when a request arrives)
   */
  public ServerlessApi(
      String accessKey, List<String> hubPaths, Function<String, HubContext> contexts, Clock clock) {
    try {
      this.verifier = new MACVerifier(accessKey.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("CHAT_ACCESS_KEY must have at least 32 bytes");
    }
    Map<String, String> paths = new LinkedHashMap<>();
    for (String p : hubPaths) {
      paths.put(p.substring(p.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT), p);
    }
    this.hubPaths = Map.copyOf(paths);
    this.contexts = contexts;
    this.clock = clock;
  }

  /** Whether {@code path} belongs to this API (its requests carry access-key tokens). */
  public static boolean isServerlessPath(String path) {
    return path.startsWith("/api/hubs/") || path.startsWith("/api/v1/hubs/");
  }

  /**
   * The server's authenticator, but anonymous for this API's paths: their bearer tokens are signed
   * with the access key, not with the user-token key, and this API checks them itself.
   */
  public static Authenticator exempting(Authenticator users) {
    return request -> isServerlessPath(request.path()) ? null : users.authenticate(request);
  }

  public void register(HubServer.Builder server) {
    for (String base : List.of("/api/hubs/{hub}", "/api/v1/hubs/{hub}")) {
      boolean v1 = base.startsWith("/api/v1");
      server.route("POST", base + (v1 ? "" : "/:send"), guarded(this::sendAll));
      server.route("POST", base + "/users/{user}" + (v1 ? "" : "/:send"), guarded(this::sendUser));
      server.route(
          "POST", base + "/groups/{group}" + (v1 ? "" : "/:send"), guarded(this::sendGroup));
      server.route(
          "POST",
          base + "/connections/{connectionId}" + (v1 ? "" : "/:send"),
          guarded(this::sendConnection));
      server.route(
          "PUT", base + "/groups/{group}/connections/{connectionId}", guarded(this::addToGroup));
      server.route(
          "DELETE",
          base + "/groups/{group}/connections/{connectionId}",
          guarded(this::removeFromGroup));
    }
  }

  // ------------------------------------------------------------------ operations

  private HttpResponse sendAll(HttpRequest r, HubContext hub) throws Exception {
    Payload p = payload(r);
    List<String> excluded = r.queryParameters().getOrDefault("excluded", List.of());
    return sent(
        excluded.isEmpty()
            ? hub.clients().all().send(p.target, p.arguments)
            : hub.clients().allExcept(excluded).send(p.target, p.arguments));
  }

  private HttpResponse sendUser(HttpRequest r, HubContext hub) throws Exception {
    Payload p = payload(r);
    return sent(hub.clients().user(r.pathParameter("user")).send(p.target, p.arguments));
  }

  private HttpResponse sendGroup(HttpRequest r, HubContext hub) throws Exception {
    String group = group(r);
    Payload p = payload(r);
    List<String> excluded = r.queryParameters().getOrDefault("excluded", List.of());
    return sent(
        excluded.isEmpty()
            ? hub.clients().group(group).send(p.target, p.arguments)
            : hub.clients().groupExcept(group, excluded).send(p.target, p.arguments));
  }

  private HttpResponse sendConnection(HttpRequest r, HubContext hub) throws Exception {
    Payload p = payload(r);
    return sent(hub.clients().client(r.pathParameter("connectionId")).send(p.target, p.arguments));
  }

  private HttpResponse addToGroup(HttpRequest r, HubContext hub) throws Exception {
    String group = group(r);
    wait(hub.groups().addToGroup(r.pathParameter("connectionId"), group));
    return HttpResponse.json(200, "{}");
  }

  private HttpResponse removeFromGroup(HttpRequest r, HubContext hub) throws Exception {
    String group = group(r);
    wait(hub.groups().removeFromGroup(r.pathParameter("connectionId"), group));
    return HttpResponse.json(200, "{}");
  }

  // ------------------------------------------------------------------ plumbing

  private record Payload(String target, Object[] arguments) {}

  /** A request error answered with the service's error object. */
  private static final class ApiError extends Exception {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  @FunctionalInterface
  private interface Operation {
    HttpResponse handle(HttpRequest request, HubContext hub) throws Exception;
  }

  private HttpHandler guarded(Operation op) {
    return request -> {
      try {
        authorize(request);
        String name = request.pathParameter("hub");
        if (name == null || !HUB.matcher(name).matches()) {
          throw new ApiError(
              400,
              "Error.InvalidHubName",
              "The hub name must start with a letter and contain only letters, digits and '_'");
        }
        String path = hubPaths.get(name.toLowerCase(Locale.ROOT));
        if (path == null) {
          throw new ApiError(404, "Error.HubNotFound", "No hub named '" + name + "' here");
        }
        return op.handle(request, contexts.apply(path));
      } catch (ApiError e) {
        HttpResponse res = error(e.status, e.code, e.getMessage(), request.path());
        return e.status == 401 ? res.withHeader("WWW-Authenticate", "Bearer") : res;
      }
    };
  }

  private static HttpResponse error(int status, String code, String message, String target) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    body.put("target", target);
    try {
      return HttpResponse.json(status, MAPPER.writeValueAsBytes(body));
    } catch (Exception e) {
      return HttpResponse.text(status, message);
    }
  }

  /**
   * The service's check: a bearer JWT, HS256 with the access key, unexpired, whose {@code aud} is
   * this request's URL without the query and without a trailing slash. The scheme is not compared
   * (TLS usually ends at a proxy in front of this server); host, port and path are, against the
   * {@code Host} header (or {@code X-Forwarded-Host}).
   */
  private void authorize(HttpRequest r) throws ApiError {
    String h = r.header("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(401, "Error.Unauthorized", "A bearer token is required");
    }
    JWTClaimsSet claims;
    try {
      SignedJWT jwt = SignedJWT.parse(h.substring(7).strip());
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        throw new ApiError(401, "Error.Unauthorized", "The token's signature is not valid");
      }
      claims = jwt.getJWTClaimsSet();
    } catch (java.text.ParseException | JOSEException e) {
      throw new ApiError(401, "Error.Unauthorized", "The token is not a JWT");
    }
    Date now = Date.from(clock.instant());
    Date exp = claims.getExpirationTime();
    if (exp == null || !exp.after(new Date(now.getTime() - 5_000))) {
      throw new ApiError(401, "Error.Unauthorized", "The token has expired or has no expiry");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.after(new Date(now.getTime() + 5_000))) {
      throw new ApiError(401, "Error.Unauthorized", "The token is not valid yet");
    }
    String forwarded = r.header("X-Forwarded-Host");
    String host = forwarded != null ? forwarded : r.header("Host");
    String expected = normalize(host + r.path());
    for (String aud : claims.getAudience()) {
      String a = aud;
      try {
        URI u = URI.create(aud);
        if (u.getHost() != null) {
          a = u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath());
        }
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (normalize(a).equals(expected)) {
        return;
      }
    }
    throw new ApiError(
        403,
        "Error.Forbidden",
        "The token's audience is not this request's URL (expected " + expected + ")");
  }

  private static String normalize(String hostAndPath) {
    String s = hostAndPath;
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    int slash = s.indexOf('/');
    return slash < 0
        ? s.toLowerCase(Locale.ROOT)
        : s.substring(0, slash).toLowerCase(Locale.ROOT) + s.substring(slash);
  }

  private static String group(HttpRequest r) throws ApiError {
    String g = r.pathParameter("group");
    if (g == null || g.isEmpty() || g.length() > 1024) {
      throw new ApiError(
          400, "Error.InvalidGroupName", "The group name must have 1 to 1024 characters");
    }
    return g;
  }

  private static Payload payload(HttpRequest r) throws ApiError {
    JsonNode body;
    try {
      body = MAPPER.readTree(r.body());
    } catch (Exception e) {
      throw new ApiError(400, "Error.InvalidPayload", "The body is not JSON");
    }
    if (body == null || !body.isObject()) {
      throw new ApiError(
          400, "Error.InvalidPayload", "The body must be {\"target\":...,\"arguments\":[...]}");
    }
    JsonNode target = body.get("target");
    if (target == null || !target.isTextual() || target.asText().isEmpty()) {
      throw new ApiError(400, "Error.InvalidPayload", "The payload needs a non-empty target");
    }
    JsonNode args = body.get("arguments");
    List<Object> list = new ArrayList<>();
    if (args != null && !args.isNull()) {
      if (!args.isArray()) {
        throw new ApiError(400, "Error.InvalidPayload", "arguments must be an array");
      }
      for (JsonNode a : args) {
        list.add(MAPPER.convertValue(a, Object.class));
      }
    }
    return new Payload(target.asText(), list.toArray());
  }

  private static HttpResponse sent(CompletableFuture<Void> send) throws ApiError {
    wait(send);
    return HttpResponse.of(202, "application/json", new byte[0]);
  }

  private static void wait(CompletableFuture<Void> f) throws ApiError {
    try {
      f.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(500, "Error.Interrupted", "Interrupted");
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      throw new ApiError(500, "Error.SendFailed", "The operation failed: " + c.getMessage());
    }
  }
}
