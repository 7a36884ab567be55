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
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.http.NonBlockingAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.http.WouldBlockException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azure SignalR Service's data-plane REST API, served by this server for its own hubs (serverless
 * mode, {@code CHAT_ACCESS_KEY}): code written against the service's REST API drives this server by
 * changing the endpoint. Both API versions the service documents are served: 2022-06-01 ({@code
 * /api/hubs/{hub}/...}, the spec {@code docs/swagger/V20220601.json} of Azure/azure-signalr) and v1
 * ({@code /api/v1/hubs/{hub}/...}, {@code docs/swagger/v1.json} and {@code docs/rest-api.md}):
 * sends, group membership of connections and of users (with {@code ttl}), closing connections (one,
 * all, a group's, a user's, with {@code excluded} and {@code reason}), and existence checks of a
 * connection, a user, a group and a user in a group, each true across every instance (through the
 * hub's lifetime manager: {@link HubContext#clientManager()}, {@link HubContext#userGroups()}).
 *
 * <p>Every request carries a bearer JWT signed (HS256) with the access key whose {@code aud} is the
 * request URL without its query, as the service checks it: {@code 401} without a valid token,
 * {@code 403} for another audience. Errors carry the service's error object {@code
 * {"code","message","target"}} and the same code in the {@code x-ms-error-code} header; a 404 of an
 * existence check carries the code the service's management SDK expects ({@code
 * Warning.Connection.NotExisted}, {@code Warning.User.NotExisted}, {@code
 * Warning.Group.NotExisted}, {@code Info.User.NotInGroup}; adding or removing an unknown
 * connection: {@code Error.Connection.NotExisted}).
 */
public final class ServerlessApi {
  private static final Logger log = LoggerFactory.getLogger(ServerlessApi.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The service's hub (and application) name pattern, from its 2022-06-01 spec. */
  private static final Pattern HUB = Pattern.compile("[A-Za-z][A-Za-z0-9_`,.\\[\\]]{0,127}");

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

  /** Longest group name (the service's), user id and connection id accepted. */
  static final int MAX_NAME_LENGTH = 1024;

  /** Longest close {@code reason}, in characters. */
  static final int MAX_REASON_LENGTH = 1024;

  /** Most {@code excluded} connection ids in one request. */
  static final int MAX_EXCLUDED = 500;

  static final String CONNECTION_NOT_EXISTED = "Warning.Connection.NotExisted";
  static final String USER_NOT_EXISTED = "Warning.User.NotExisted";
  static final String GROUP_NOT_EXISTED = "Warning.Group.NotExisted";
  static final String USER_NOT_IN_GROUP = "Info.User.NotInGroup";
  static final String CONNECTION_NOT_EXISTED_ERROR = "Error.Connection.NotExisted";

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
    return path.startsWith("/api/hubs/")
        || path.startsWith("/api/v1/hubs/")
        || path.equals("/api/health")
        || path.equals("/api/v1/health");
  }

  /**
   * The server's authenticator, but anonymous for this API's paths: their bearer tokens are signed
   * with the access key, not with the user-token key, and this API checks them itself. Checks
   * without blocking where {@code users} does (a {@link NonBlockingAuthenticator}).
   */
  public static Authenticator exempting(Authenticator users) {
    return new NonBlockingAuthenticator() {
      @Override
      public HubUser authenticate(HttpRequest request) throws UnauthorizedException {
        return isServerlessPath(request.path()) ? null : users.authenticate(request);
      }

      @Override
      public HubUser tryAuthenticate(HttpRequest request)
          throws UnauthorizedException, WouldBlockException {
        if (isServerlessPath(request.path())) {
          return null;
        }
        if (users instanceof NonBlockingAuthenticator nonBlocking) {
          return nonBlocking.tryAuthenticate(request);
        }
        throw WouldBlockException.INSTANCE;
      }
    };
  }

  public void register(HubServer.Builder server) {
    // The service's health (anonymous there too): GET here also answers HEAD.
    server.route("GET", "/api/health", r -> HttpResponse.of(200, "application/json", new byte[0]));
    server.route(
        "GET", "/api/v1/health", r -> HttpResponse.of(200, "application/json", new byte[0]));

    String v2 = "/api/hubs/{hub}";
    route(server, "POST", v2 + "/:send", this::sendAll);
    route(server, "POST", v2 + "/:closeConnections", this::closeAll);
    route(server, "POST", v2 + "/users/{user}/:send", this::sendUser);
    route(server, "GET", v2 + "/users/{user}", this::userExists);
    route(server, "POST", v2 + "/users/{user}/:closeConnections", this::closeUser);
    route(server, "DELETE", v2 + "/users/{user}/groups", (r, h) -> removeUserFromAll(r, h, 204));
    route(server, "PUT", v2 + "/users/{user}/groups/{group}", (r, h) -> addUser(r, h, 200));
    route(server, "DELETE", v2 + "/users/{user}/groups/{group}", (r, h) -> removeUser(r, h, 204));
    route(server, "GET", v2 + "/users/{user}/groups/{group}", this::userInGroup);
    route(server, "POST", v2 + "/groups/{group}/:send", this::sendGroup);
    route(server, "GET", v2 + "/groups/{group}", this::groupExists);
    route(server, "POST", v2 + "/groups/{group}/:closeConnections", this::closeGroup);
    String member = v2 + "/groups/{group}/connections/{connectionId}";
    route(server, "PUT", member, (r, h) -> addConnection(r, h, 200, true));
    route(server, "DELETE", member, (r, h) -> removeConnection(r, h, 200, true));
    route(server, "POST", v2 + "/connections/{connectionId}/:send", this::sendConnection);
    route(server, "GET", v2 + "/connections/{connectionId}", this::connectionExists);
    route(server, "DELETE", v2 + "/connections/{connectionId}", (r, h) -> close(r, h, 200, true));
    route(server, "DELETE", v2 + "/connections/{connectionId}/groups", this::removeFromAll);

    String v1 = "/api/v1/hubs/{hub}";
    route(server, "POST", v1, this::sendAll);
    route(server, "POST", v1 + "/users/{user}", this::sendUser);
    route(server, "GET", v1 + "/users/{user}", this::userExists);
    route(server, "POST", v1 + "/groups/{group}", this::sendGroup);
    route(server, "GET", v1 + "/groups/{group}", this::groupExists);
    route(server, "POST", v1 + "/connections/{connectionId}", this::sendConnection);
    route(server, "GET", v1 + "/connections/{connectionId}", this::connectionExists);
    route(server, "DELETE", v1 + "/connections/{connectionId}", (r, h) -> close(r, h, 202, false));
    for (String m :
        List.of(
            v1 + "/groups/{group}/connections/{connectionId}",
            v1 + "/connections/{connectionId}/groups/{group}")) {
      route(server, "PUT", m, (r, h) -> addConnection(r, h, 202, false));
      route(server, "DELETE", m, (r, h) -> removeConnection(r, h, 202, false));
    }
    for (String m :
        List.of(v1 + "/groups/{group}/users/{user}", v1 + "/users/{user}/groups/{group}")) {
      route(server, "GET", m, this::userInGroup);
      route(server, "PUT", m, (r, h) -> addUser(r, h, 202));
      route(server, "DELETE", m, (r, h) -> removeUser(r, h, 202));
    }
    route(server, "DELETE", v1 + "/users/{user}/groups", (r, h) -> removeUserFromAll(r, h, 202));
  }

  private void route(HubServer.Builder server, String method, String pattern, Operation op) {
    server.route(method, pattern, guarded(op));
  }

  // ------------------------------------------------------------------ sends

  private HttpResponse sendAll(HttpRequest r, HubContext hub) throws Exception {
    Payload p = payload(r);
    List<String> excluded = excluded(r);
    return accepted(
        excluded.isEmpty()
            ? hub.clients().all().send(p.target, p.arguments)
            : hub.clients().allExcept(excluded).send(p.target, p.arguments));
  }

  private HttpResponse sendUser(HttpRequest r, HubContext hub) throws Exception {
    String user = user(r);
    Payload p = payload(r);
    return accepted(hub.clients().user(user).send(p.target, p.arguments));
  }

  private HttpResponse sendGroup(HttpRequest r, HubContext hub) throws Exception {
    String group = group(r);
    Payload p = payload(r);
    List<String> excluded = excluded(r);
    return accepted(
        excluded.isEmpty()
            ? hub.clients().group(group).send(p.target, p.arguments)
            : hub.clients().groupExcept(group, excluded).send(p.target, p.arguments));
  }

  private HttpResponse sendConnection(HttpRequest r, HubContext hub) throws Exception {
    String id = connectionId(r);
    Payload p = payload(r);
    return accepted(hub.clients().client(id).send(p.target, p.arguments));
  }

  // ------------------------------------------------------------------ connection groups

  /**
   * Adds a connection to a group; an unknown connection is {@code 404 Error.Connection.NotExisted}
   * in 2022-06-01 ({@code strict}), accepted and ignored in v1 (whose spec answers only 202).
   */
  private HttpResponse addConnection(HttpRequest r, HubContext hub, int status, boolean strict)
      throws Exception {
    String group = group(r);
    String id = connectionId(r);
    if (strict && !wait(hub.clientManager().connectionExists(id))) {
      throw notExisted(id);
    }
    wait(hub.groups().addToGroup(id, group));
    return done(status);
  }

  private HttpResponse removeConnection(HttpRequest r, HubContext hub, int status, boolean strict)
      throws Exception {
    String group = group(r);
    String id = connectionId(r);
    if (strict && !wait(hub.clientManager().connectionExists(id))) {
      throw notExisted(id);
    }
    wait(hub.groups().removeFromGroup(id, group));
    return done(status);
  }

  private HttpResponse removeFromAll(HttpRequest r, HubContext hub) throws Exception {
    wait(hub.groups().removeFromAllGroups(connectionId(r)));
    return done(200);
  }

  private static ApiError notExisted(String connectionId) {
    return new ApiError(
        404, CONNECTION_NOT_EXISTED_ERROR, "Connection '" + connectionId + "' does not exist.");
  }

  // ------------------------------------------------------------------ user groups

  private HttpResponse addUser(HttpRequest r, HubContext hub, int status) throws Exception {
    String user = user(r);
    String group = group(r);
    Duration ttl = ttl(r);
    wait(hub.userGroups().addToGroup(user, group, ttl));
    return done(status);
  }

  private HttpResponse removeUser(HttpRequest r, HubContext hub, int status) throws Exception {
    String user = user(r);
    String group = group(r);
    wait(hub.userGroups().removeFromGroup(user, group));
    return done(status);
  }

  private HttpResponse removeUserFromAll(HttpRequest r, HubContext hub, int status)
      throws Exception {
    wait(hub.userGroups().removeFromAllGroups(user(r)));
    return done(status);
  }

  private HttpResponse userInGroup(HttpRequest r, HubContext hub) throws Exception {
    String user = user(r);
    String group = group(r);
    return exists(
        wait(hub.userGroups().isUserInGroup(user, group)),
        USER_NOT_IN_GROUP,
        "User '" + user + "' is not in group '" + group + "'.",
        r);
  }

  // ------------------------------------------------------------------ closing

  /**
   * Closes one connection; in 2022-06-01 ({@code strict}) an unknown one is {@code 404
   * Warning.Connection.NotExisted} (what the management SDK treats as done), in v1 {@code 202}.
   */
  private HttpResponse close(HttpRequest r, HubContext hub, int status, boolean strict)
      throws Exception {
    String id = connectionId(r);
    String reason = reason(r);
    boolean closed = wait(hub.clientManager().closeConnection(id, reason));
    if (!closed && strict) {
      throw new ApiError(404, CONNECTION_NOT_EXISTED, "Connection '" + id + "' does not exist.");
    }
    return done(status);
  }

  private HttpResponse closeAll(HttpRequest r, HubContext hub) throws Exception {
    List<String> excluded = excluded(r);
    wait(hub.clientManager().closeConnections(excluded, reason(r)));
    return HttpResponse.noContent();
  }

  private HttpResponse closeGroup(HttpRequest r, HubContext hub) throws Exception {
    String group = group(r);
    List<String> excluded = excluded(r);
    wait(hub.clientManager().closeGroupConnections(group, excluded, reason(r)));
    return HttpResponse.noContent();
  }

  private HttpResponse closeUser(HttpRequest r, HubContext hub) throws Exception {
    String user = user(r);
    List<String> excluded = excluded(r);
    wait(hub.clientManager().closeUserConnections(user, excluded, reason(r)));
    return HttpResponse.noContent();
  }

  // ------------------------------------------------------------------ existence

  private HttpResponse connectionExists(HttpRequest r, HubContext hub) throws Exception {
    String id = connectionId(r);
    return exists(
        wait(hub.clientManager().connectionExists(id)),
        CONNECTION_NOT_EXISTED,
        "Connection '" + id + "' does not exist.",
        r);
  }

  private HttpResponse userExists(HttpRequest r, HubContext hub) throws Exception {
    String user = user(r);
    return exists(
        wait(hub.clientManager().userExists(user)),
        USER_NOT_EXISTED,
        "User '" + user + "' has no connection.",
        r);
  }

  private HttpResponse groupExists(HttpRequest r, HubContext hub) throws Exception {
    String group = group(r);
    return exists(
        wait(hub.clientManager().groupExists(group)),
        GROUP_NOT_EXISTED,
        "Group '" + group + "' has no connection.",
        r);
  }

  private static HttpResponse exists(boolean exists, String code, String message, HttpRequest r) {
    return exists ? done(200) : error(404, code, message, r.path());
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
              "The hub name must start with a letter and have at most 128 letters, digits and"
                  + " '_', '`', ',', '.', '[', ']'");
        }
        String application = request.query("application");
        if (application != null && !HUB.matcher(application).matches()) {
          throw new ApiError(
              400,
              "Error.InvalidApplicationName",
              "The application name must start with a letter and have at most 128 letters,"
                  + " digits and '_', '`', ',', '.', '[', ']'");
        }
        // The service names an application's hub "{application}_{hub}"; this server's hubs have
        // no application, so such a hub is one it does not have.
        String serviceHub = application == null ? name : application + "_" + name;
        String path = hubPaths.get(serviceHub.toLowerCase(Locale.ROOT));
        if (path == null) {
          throw new ApiError(404, "Error.HubNotFound", "No hub named '" + serviceHub + "' here");
        }
        return op.handle(request, contexts.apply(path));
      } catch (ApiError e) {
        HttpResponse res = error(e.status, e.code, e.getMessage(), request.path());
        return e.status == 401 ? res.withHeader("WWW-Authenticate", "Bearer") : res;
      } catch (Exception e) {
        log.warn("Serverless API: {} {} failed", request.method(), request.path(), e);
        return error(500, "Error.Internal", "The operation failed.", request.path());
      }
    };
  }

  /** The service's error object, its code also in {@code x-ms-error-code}. */
  private static HttpResponse error(int status, String code, String message, String target) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    body.put("target", target);
    HttpResponse res;
    try {
      res = HttpResponse.json(status, MAPPER.writeValueAsBytes(body));
    } catch (Exception e) {
      res = HttpResponse.text(status, message);
    }
    return res.withHeader("x-ms-error-code", code);
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
          a = u.getRawAuthority() + (u.getPath() == null ? "" : u.getPath());
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
    if (g == null || g.isEmpty() || g.length() > MAX_NAME_LENGTH || g.isBlank()) {
      throw new ApiError(
          400,
          "Error.InvalidGroupName",
          "The group name must have 1 to " + MAX_NAME_LENGTH + " characters, not all blank");
    }
    return g;
  }

  private static String user(HttpRequest r) throws ApiError {
    String u = r.pathParameter("user");
    if (u == null || u.isEmpty() || u.length() > MAX_NAME_LENGTH) {
      throw new ApiError(
          400,
          "Error.InvalidUserId",
          "The user id must have 1 to " + MAX_NAME_LENGTH + " characters");
    }
    return u;
  }

  private static String connectionId(HttpRequest r) throws ApiError {
    String c = r.pathParameter("connectionId");
    if (c == null || c.isEmpty() || c.length() > MAX_NAME_LENGTH) {
      throw new ApiError(
          400,
          "Error.InvalidConnectionId",
          "The connection id must have 1 to " + MAX_NAME_LENGTH + " characters");
    }
    return c;
  }

  /** The {@code excluded} connection ids (the query parameter repeated). */
  private static List<String> excluded(HttpRequest r) throws ApiError {
    List<String> excluded = r.queryParameters().getOrDefault("excluded", List.of());
    if (excluded.size() > MAX_EXCLUDED) {
      throw new ApiError(
          400,
          "Error.InvalidExcluded",
          "At most " + MAX_EXCLUDED + " excluded connection ids, got " + excluded.size());
    }
    for (String id : excluded) {
      if (id.isEmpty() || id.length() > MAX_NAME_LENGTH) {
        throw new ApiError(
            400,
            "Error.InvalidExcluded",
            "An excluded connection id must have 1 to " + MAX_NAME_LENGTH + " characters");
      }
    }
    return excluded;
  }

  /** The close {@code reason}, or null. */
  private static String reason(HttpRequest r) throws ApiError {
    String reason = r.query("reason");
    if (reason != null && reason.length() > MAX_REASON_LENGTH) {
      throw new ApiError(
          400,
          "Error.InvalidReason",
          "The reason must have at most " + MAX_REASON_LENGTH + " characters");
    }
    return reason == null || reason.isEmpty() ? null : reason;
  }

  /**
   * The {@code ttl} query parameter: seconds, an int32 of 0 or more; absent is {@code null}
   * (without a time to live).
   */
  private static Duration ttl(HttpRequest r) throws ApiError {
    String ttl = r.query("ttl");
    if (ttl == null) {
      return null;
    }
    int seconds;
    try {
      seconds = Integer.parseInt(ttl);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 0) {
      throw new ApiError(
          400, "Error.InvalidTtl", "ttl must be a whole number of seconds, 0 or more: " + ttl);
    }
    return Duration.ofSeconds(seconds);
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

  private static HttpResponse accepted(CompletableFuture<Void> send) throws ApiError {
    wait(send);
    return HttpResponse.of(202, "application/json", new byte[0]);
  }

  private static HttpResponse done(int status) {
    return status == 204
        ? HttpResponse.noContent()
        : HttpResponse.of(status, "application/json", new byte[0]);
  }

  /**
   * The operation's outcome, waiting at most 10 s: a hub library that cannot do it ({@code 501
   * Error.NotSupported}, e.g. Azure SignalR Service's default mode), a bad argument (400), or any
   * other failure (500, e.g. the backplane unreachable).
   */
  private static <T> T wait(CompletableFuture<T> f) throws ApiError {
    try {
      return f.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(500, "Error.Interrupted", "Interrupted");
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ApiError(
          500,
          "Error.Timeout",
          "The operation took longer than " + SEND_TIMEOUT.toSeconds() + " s");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      if (c instanceof UnsupportedOperationException) {
        throw new ApiError(
            501, "Error.NotSupported", "Not supported by this server's scale-out mode");
      }
      if (c instanceof IllegalArgumentException) {
        throw new ApiError(400, "Error.InvalidRequest", c.getMessage());
      }
      throw new ApiError(500, "Error.OperationFailed", "The operation failed: " + c.getMessage());
    }
  }
}
