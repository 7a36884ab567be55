package org.jvmchat.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A small, real OpenID Connect provider for tests, on the JDK's HTTP server: discovery, a JWK set
 * (an RSA key for RS256/PS256 and a P-256 key for ES256), the authorization code flow with PKCE
 * (S256) behind a one-field sign-in form, the refresh-token grant, and end-session. Tokens carry
 * {@code iss}, {@code sub}, {@code name}, {@code aud} (the configured audience for access tokens,
 * the client id for ID tokens), {@code iat}, {@code nbf}, {@code exp}.
 *
 * <p>Test controls: {@link #rotateKeys} (new key ids), {@link #jwksAvailable} (the JWK set answers
 * 503 while false), {@link #jwksFetches}, {@link #token} to mint a token directly, and the same
 * over HTTP for out-of-process tests: {@code POST /test/token?sub=&name=&ttl=<seconds>&alg=}
 * answers {@code {"access_token"}}, {@code POST /test/rotate?keepOld=true|false} rotates the keys,
 * {@code POST /test/jwks?available=true|false} takes the JWK set down or up, {@code GET
 * /test/stats} counts. Not for production use: anyone can sign in as anyone.
 *
 * <p>Run out of process: {@code java -cp … org.jvmchat.testing.TestOidcProvider [--audience=A]
 * [--access-token-ttl=SECONDS]}; it prints {@code OIDC provider listening on <issuer>} once ready.
 */
public final class TestOidcProvider implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final HttpServer server;
  private final ExecutorService executor;
  private final String issuer;
  private final String audience;
  private volatile Duration accessTokenTtl;
  private volatile RSAKey rsaKey;
  private volatile ECKey ecKey;
  private final List<JWK> retiredKeys = new ArrayList<>();
  private volatile boolean jwksAvailable = true;
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger generation = new AtomicInteger();
  private final Map<String, Grant> codes = new ConcurrentHashMap<>();
  private final Map<String, Grant> refreshTokens = new ConcurrentHashMap<>();
  private final AtomicInteger signIns = new AtomicInteger();
  private final AtomicInteger refreshes = new AtomicInteger();

  private record Grant(
      String sub,
      String name,
      String clientId,
      String redirectUri,
      String scope,
      String nonce,
      String challenge,
      Instant expires) {}

  private TestOidcProvider(String audience, Duration accessTokenTtl) throws IOException {
    this.audience = audience;
    this.accessTokenTtl = accessTokenTtl;
    rotateKeys(false);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    this.issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/test";
    server.createContext("/realms/test/", this::handle);
    server.start();
  }

  /** Starts a provider on a free loopback port whose access tokens have {@code aud} = audience. */
  public static TestOidcProvider start(String audience) {
    return start(audience, Duration.ofMinutes(5));
  }

  public static TestOidcProvider start(String audience, Duration accessTokenTtl) {
    try {
      return new TestOidcProvider(audience, accessTokenTtl);
    } catch (IOException e) {
      throw new IllegalStateException("The test OIDC provider did not start", e);
    }
  }

  /** The issuer URL ({@code JWT_AUTHORITY}). */
  public String issuer() {
    return issuer;
  }

  /** The JWK set URL ({@code JWT_JWKS_URL}). */
  public String jwksUrl() {
    return issuer + "/protocol/openid-connect/certs";
  }

  /** How many times the JWK set was fetched (successfully or not). */
  public int jwksFetches() {
    return jwksFetches.get();
  }

  /** While false the JWK set answers 503, as a provider that is down. */
  public void jwksAvailable(boolean available) {
    this.jwksAvailable = available;
  }

  public void accessTokenTtl(Duration ttl) {
    this.accessTokenTtl = ttl;
  }

  /** New keys with new key ids; the old ones stay published when {@code keepOld}. */
  public synchronized void rotateKeys(boolean keepOld) {
    int g = generation.incrementAndGet();
    try {
      RSAKey oldRsa = rsaKey;
      ECKey oldEc = ecKey;
      rsaKey = new RSAKeyGenerator(2048).keyID("rsa-" + g).generate();
      ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec-" + g).generate();
      if (keepOld && oldRsa != null) {
        retiredKeys.add(oldRsa.toPublicJWK());
        retiredKeys.add(oldEc.toPublicJWK());
      } else {
        retiredKeys.clear();
      }
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Completed sign-ins (authorization codes exchanged). */
  public int signIns() {
    return signIns.get();
  }

  /** Refresh-token grants answered. */
  public int refreshes() {
    return refreshes.get();
  }

  /** A token signed with the current key for {@code alg}, with the claims {@code claims} sets. */
  public String token(JWSAlgorithm alg, Consumer<JWTClaimsSet.Builder> claims) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(audience)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(accessTokenTtl)))
            .jwtID(UUID.randomUUID().toString());
    claims.accept(b);
    return sign(alg, b.build());
  }

  /** An access token for {@code sub} valid for {@code ttl}. */
  public String token(JWSAlgorithm alg, String sub, String name, Duration ttl) {
    Instant now = Instant.now();
    return token(
        alg, c -> c.subject(sub).claim("name", name).expirationTime(Date.from(now.plus(ttl))));
  }

  private String sign(JWSAlgorithm alg, JWTClaimsSet claims) {
    JWK key = JWSAlgorithm.ES256.equals(alg) ? ecKey : rsaKey;
    try {
      JWSSigner signer =
          key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
              claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath().substring("/realms/test".length());
      ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      if ("OPTIONS".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Access-Control-Allow-Methods", "GET, POST");
        ex.getResponseHeaders().set("Access-Control-Allow-Headers", "Content-Type, Authorization");
        ex.sendResponseHeaders(204, -1);
        return;
      }
      switch (path) {
        case "/.well-known/openid-configuration" -> json(ex, 200, discovery());
        case "/protocol/openid-connect/certs" -> jwks(ex);
        case "/protocol/openid-connect/auth" -> authorize(ex);
        case "/protocol/openid-connect/token" -> tokenEndpoint(ex);
        case "/protocol/openid-connect/logout" -> logout(ex);
        case "/test/token" -> testToken(ex);
        case "/test/rotate" -> {
          rotateKeys("true".equals(query(ex.getRequestURI().getRawQuery()).get("keepOld")));
          json(ex, 200, Map.of("rotated", true));
        }
        case "/test/jwks" -> {
          jwksAvailable(!"false".equals(query(ex.getRequestURI().getRawQuery()).get("available")));
          json(ex, 200, Map.of("available", jwksAvailable));
        }
        case "/test/stats" ->
            json(
                ex,
                200,
                Map.of(
                    "signIns", signIns.get(),
                    "refreshes", refreshes.get(),
                    "jwksFetches", jwksFetches.get()));
        default -> json(ex, 404, Map.of("error", "not_found"));
      }
    } catch (RuntimeException e) {
      json(ex, 500, Map.of("error", "server_error", "error_description", String.valueOf(e)));
    }
  }

  private Map<String, Object> discovery() {
    String base = issuer + "/protocol/openid-connect";
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("issuer", issuer);
    d.put("authorization_endpoint", base + "/auth");
    d.put("token_endpoint", base + "/token");
    d.put("jwks_uri", jwksUrl());
    d.put("end_session_endpoint", base + "/logout");
    d.put("response_types_supported", List.of("code"));
    d.put("grant_types_supported", List.of("authorization_code", "refresh_token"));
    d.put("code_challenge_methods_supported", List.of("S256"));
    d.put("subject_types_supported", List.of("public"));
    d.put("id_token_signing_alg_values_supported", List.of("RS256", "PS256", "ES256"));
    d.put("scopes_supported", List.of("openid", "profile", "offline_access"));
    return d;
  }

  private void jwks(HttpExchange ex) throws IOException {
    jwksFetches.incrementAndGet();
    if (!jwksAvailable) {
      json(ex, 503, Map.of("error", "temporarily_unavailable"));
      return;
    }
    List<JWK> keys = new ArrayList<>();
    synchronized (this) {
      keys.add(rsaKey.toPublicJWK());
      keys.add(ecKey.toPublicJWK());
      keys.addAll(retiredKeys);
    }
    json(ex, 200, new JWKSet(keys).toJSONObject(true));
  }

  /** GET: the sign-in form; POST (the form): a redirect with a code. */
  private void authorize(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    if ("POST".equals(ex.getRequestMethod())) {
      q.putAll(query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
    }
    String redirectUri = q.get("redirect_uri");
    String clientId = q.get("client_id");
    if (redirectUri == null || clientId == null || !"code".equals(q.get("response_type"))) {
      text(ex, 400, "response_type=code, client_id and redirect_uri are required");
      return;
    }
    if (!"S256".equals(q.get("code_challenge_method")) || q.get("code_challenge") == null) {
      text(ex, 400, "PKCE (code_challenge with code_challenge_method=S256) is required");
      return;
    }
    if ("GET".equals(ex.getRequestMethod())) {
      StringBuilder form = new StringBuilder();
      form.append("<!doctype html><html><head><title>Sign in</title></head><body>")
          .append("<form method=\"post\"><label>User name <input id=\"username\" name=\"username\"")
          .append(" autofocus></label>");
      for (Map.Entry<String, String> e : q.entrySet()) {
        form.append("<input type=\"hidden\" name=\"")
            .append(html(e.getKey()))
            .append("\" value=\"")
            .append(html(e.getValue()))
            .append("\">");
      }
      form.append("<button id=\"sign-in\" type=\"submit\">Sign in</button></form></body></html>");
      byte[] body = form.toString().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      return;
    }
    String user = q.getOrDefault("username", "").trim();
    if (user.isEmpty()) {
      text(ex, 400, "A user name is required");
      return;
    }
    String code = random();
    codes.put(
        code,
        new Grant(
            user.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "-"),
            user,
            clientId,
            redirectUri,
            q.getOrDefault("scope", "openid"),
            q.get("nonce"),
            q.get("code_challenge"),
            Instant.now().plusSeconds(60)));
    String location =
        redirectUri
            + (redirectUri.contains("?") ? "&" : "?")
            + "code="
            + enc(code)
            + (q.get("state") != null ? "&state=" + enc(q.get("state")) : "");
    ex.getResponseHeaders().set("Location", location);
    ex.sendResponseHeaders(302, -1);
  }

  private void tokenEndpoint(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      json(ex, 405, Map.of("error", "invalid_request"));
      return;
    }
    Map<String, String> f =
        query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String grantType = f.get("grant_type");
    Grant grant;
    if ("authorization_code".equals(grantType)) {
      grant = codes.remove(f.getOrDefault("code", ""));
      if (grant == null || grant.expires().isBefore(Instant.now())) {
        json(ex, 400, error("invalid_grant", "unknown or used code"));
        return;
      }
      if (!grant.clientId().equals(f.get("client_id"))
          || !grant.redirectUri().equals(f.get("redirect_uri"))) {
        json(ex, 400, error("invalid_grant", "client_id or redirect_uri differ"));
        return;
      }
      String verifier = f.get("code_verifier");
      if (verifier == null || !s256(verifier).equals(grant.challenge())) {
        json(ex, 400, error("invalid_grant", "PKCE verification failed"));
        return;
      }
      signIns.incrementAndGet();
    } else if ("refresh_token".equals(grantType)) {
      grant = refreshTokens.remove(f.getOrDefault("refresh_token", ""));
      if (grant == null) {
        json(ex, 400, error("invalid_grant", "unknown refresh token"));
        return;
      }
      refreshes.incrementAndGet();
    } else {
      json(ex, 400, error("unsupported_grant_type", String.valueOf(grantType)));
      return;
    }
    json(ex, 200, tokenResponse(grant, JWSAlgorithm.RS256, accessTokenTtl));
  }

  private Map<String, Object> tokenResponse(Grant grant, JWSAlgorithm alg, Duration ttl) {
    Instant now = Instant.now();
    String access =
        token(
            alg,
            c ->
                c.subject(grant.sub())
                    .claim("name", grant.name())
                    .claim("scope", grant.scope())
                    .claim("azp", grant.clientId())
                    .expirationTime(Date.from(now.plus(ttl))));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("access_token", access);
    r.put("token_type", "Bearer");
    r.put("expires_in", ttl.toSeconds());
    r.put("scope", grant.scope());
    if (grant.clientId() != null) {
      r.put(
          "id_token",
          token(
              JWSAlgorithm.RS256,
              c -> {
                c.subject(grant.sub())
                    .audience(grant.clientId())
                    .claim("name", grant.name())
                    .claim("preferred_username", grant.name())
                    .expirationTime(Date.from(now.plus(ttl)));
                if (grant.nonce() != null) {
                  c.claim("nonce", grant.nonce());
                }
              }));
      String refresh = random();
      refreshTokens.put(refresh, grant);
      r.put("refresh_token", refresh);
    }
    return r;
  }

  private void logout(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String back = q.get("post_logout_redirect_uri");
    if (back == null) {
      text(ex, 200, "Signed out");
      return;
    }
    String state = q.get("state");
    ex.getResponseHeaders()
        .set(
            "Location",
            back + (state == null ? "" : (back.contains("?") ? "&" : "?") + "state=" + enc(state)));
    ex.sendResponseHeaders(302, -1);
  }

  private void testToken(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String sub = q.getOrDefault("sub", "alice");
    Duration ttl =
        q.containsKey("ttl") ? Duration.ofSeconds(Long.parseLong(q.get("ttl"))) : accessTokenTtl;
    JWSAlgorithm alg = JWSAlgorithm.parse(q.getOrDefault("alg", "RS256"));
    Grant grant =
        new Grant(sub, q.getOrDefault("name", sub), null, null, "openid", null, null, null);
    json(ex, 200, tokenResponse(grant, alg, ttl));
  }

  private static Map<String, Object> error(String code, String description) {
    return Map.of("error", code, "error_description", description);
  }

  private static String s256(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64URL.encode(digest).toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64URL.encode(b).toString();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      m.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return m;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String html(String s) {
    return s.replace("&", "&amp;")
        .replace("\"", "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;");
  }

  private static void json(HttpExchange ex, int status, Map<String, ?> body) throws IOException {
    byte[] bytes = JSONObjectUtils.toJSONString(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void text(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Runs the provider until stdin closes (so it ends with the test process that started it). */
  public static void main(String[] args) throws IOException {
    String audience = "chat-api";
    Duration ttl = Duration.ofMinutes(5);
    for (String a : args) {
      if (a.startsWith("--audience=")) {
        audience = a.substring("--audience=".length());
      } else if (a.startsWith("--access-token-ttl=")) {
        ttl = Duration.ofSeconds(Long.parseLong(a.substring("--access-token-ttl=".length())));
      } else {
        throw new IllegalArgumentException("Unknown argument " + a);
      }
    }
    try (TestOidcProvider p = start(audience, ttl)) {
      System.out.println("OIDC provider listening on " + p.issuer());
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until the parent closes our stdin or kills us
      }
    }
  }
}
