package org.jvmchat.hub.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.RemoteKeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.jvmchat.hub.HubUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWTs, as ASP.NET Core's JwtBearer handler checks them: tokens from an OpenID Connect
 * provider (RS256, PS256, ES256, keys from the issuer's discovery document or straight from a JWK
 * set URL) and/or HS256 tokens signed with a shared secret, side by side. Built on Nimbus
 * JOSE+JWT's {@link DefaultJWTProcessor} and {@link JWKSourceBuilder}.
 *
 * <p>Checked: the signature; {@code exp} (required) and {@code nbf} with {@link Builder#clockSkew};
 * {@code iss} (the authority's issuer for provider tokens, {@link Builder#issuer} when set); {@code
 * aud} when {@link Builder#audience} is set; the user id claim (required). The user is {@code sub}
 * (or {@link Builder#userIdClaim}) with display name {@code name}, else {@code preferred_username},
 * else the id; every claim is in {@link HubUser#claims()} (so {@link HubUser#expiration()} is the
 * token's {@code exp}).
 *
 * <p>A plain HS256 token (the usual header, claims of strings, integers and booleans) is checked
 * without Nimbus, with the same checks and the same claims, at a fifth of the garbage; every other
 * token, and every token that check does not accept, goes through Nimbus (see {@code
 * PlainHs256Tokens}).
 *
 * <p>Keys: the provider's key set is fetched on first use and cached ({@link Builder#keyCacheTtl});
 * a token whose {@code kid} is not in the cached set refreshes it, at most once per {@link
 * Builder#keyRefreshMinInterval}; when a fetch fails the last good keys stay in use ({@link
 * Builder#outageTolerance}). Fetching is blocking I/O, so this is a {@link
 * NonBlockingAuthenticator} that answers on the event loop only when no fetch can be needed: HS256
 * tokens, and provider tokens whose key is in the key set fetched last while that set is younger
 * than {@link Builder#keyCacheTtl}; every other token (no key set yet, an expired set, an unknown
 * {@code kid}) is checked on the hub's executor, where the key set may be fetched. Thread-safe.
 *
 * <pre>{@code
 * Authenticator auth = JwtBearerAuthenticator.builder()
 *     .authority("https://login.example.com/realms/chat")   // discovery + iss check
 *     .audience("chat-api")
 *     .build();
 * }</pre>
 */
public final class JwtBearerAuthenticator
    implements NonBlockingAuthenticator, BearerTokenAuthenticator.NonBlockingTokenValidator {
  /** The algorithms accepted for provider-issued tokens. */
  public static final Set<JWSAlgorithm> PROVIDER_ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256);

  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
  public static final Duration DEFAULT_KEY_CACHE_TTL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_KEY_REFRESH_MIN_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(5);

  /** Default bound of the checked-token cache ({@link Builder#checkedTokenCache}). */
  public static final int DEFAULT_CHECKED_TOKEN_CACHE = 4096;

  /** How long a checked token is answered from the cache at most (never past its {@code exp}). */
  public static final Duration CHECKED_TOKEN_TTL = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(JwtBearerAuthenticator.class);

  private final DefaultJWTProcessor<SecurityContext> hmacProcessor;
  // Plain HS256 tokens, checked without Nimbus (null without a secret); anything else, Nimbus.
  private final PlainHs256Tokens plainHs256;
  private final DefaultJWTProcessor<SecurityContext> providerProcessor;
  // Provider tokens checked without blocking: keys from the last fetched set only (null: none).
  private final DefaultJWTProcessor<SecurityContext> cachedKeysProcessor;
  private final String userIdClaim;
  private final String nameClaim;
  private final int checkedTokenCache;
  // Tokens that passed every check lately: a connect presents its token twice (negotiate, then the
  // WebSocket request), and the second check is answered from here.
  private final ConcurrentHashMap<String, Checked> checkedTokens = new ConcurrentHashMap<>();
  // The order the checked tokens came in, a ring of checkedTokenCache slots: a token put in evicts
  // the one it overwrites, the oldest, in O(1). (Evicting "any" key through the map's iterator
  // walked the table from its start over the bins emptied before: O(table) per connect once full.)
  private final AtomicReferenceArray<String> checkedOrder;
  private final AtomicLong checkedNext = new AtomicLong();

  private record Checked(HubUser user, long untilNanos, long expiresAtMillis) {}

  private JwtBearerAuthenticator(Builder b) {
    this.userIdClaim = b.userIdClaim;
    this.nameClaim = b.nameClaim;
    this.checkedTokenCache = b.checkedTokenCache;
    this.checkedOrder = new AtomicReferenceArray<>(Math.max(1, b.checkedTokenCache));
    this.plainHs256 =
        b.hmacSecret == null
            ? null
            : new PlainHs256Tokens(
                b.hmacSecret, b.issuer, b.audience, b.userIdClaim, b.clockSkewSeconds());
    this.hmacProcessor =
        b.hmacSecret == null
            ? null
            : processor(
                new JWSVerificationKeySelector<>(
                    JWSAlgorithm.HS256, new ImmutableSecret<>(b.hmacSecret)),
                b.issuer,
                b);
    FetchedKeys fetched = new FetchedKeys(b.keyCacheTtl);
    JWKSource<SecurityContext> keys = providerKeys(b, fetched);
    String providerIssuer = b.authority != null ? b.authority : b.issuer;
    this.providerProcessor =
        keys == null
            ? null
            : processor(
                new JWSVerificationKeySelector<>(PROVIDER_ALGORITHMS, keys), providerIssuer, b);
    this.cachedKeysProcessor =
        keys == null
            ? null
            : processor(
                new JWSVerificationKeySelector<>(PROVIDER_ALGORITHMS, fetched), providerIssuer, b);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public HubUser authenticate(HttpRequest request) throws UnauthorizedException {
    String token = BearerTokenAuthenticator.token(request);
    return token == null ? null : validate(token);
  }

  @Override
  public HubUser tryAuthenticate(HttpRequest request)
      throws UnauthorizedException, WouldBlockException {
    String token = BearerTokenAuthenticator.token(request);
    return token == null ? null : tryValidate(token);
  }

  @Override
  public HubUser validate(String token) throws UnauthorizedException {
    try {
      return validate(token, false);
    } catch (WouldBlockException e) {
      throw new IllegalStateException(e); // only a non-blocking check throws it
    }
  }

  /**
   * Checks the token without blocking: HS256 tokens always; provider tokens when their key is in
   * the key set fetched last and that set has not expired.
   *
   * @throws WouldBlockException when the key set would have to be fetched
   */
  @Override
  public HubUser tryValidate(String token) throws UnauthorizedException, WouldBlockException {
    return validate(token, true);
  }

  private HubUser validate(String token, boolean withoutBlocking)
      throws UnauthorizedException, WouldBlockException {
    if (checkedTokenCache > 0) {
      Checked known = checkedTokens.get(token);
      if (known != null) {
        if (System.nanoTime() - known.untilNanos() < 0
            && System.currentTimeMillis() < known.expiresAtMillis()) {
          return known.user();
        }
        checkedTokens.remove(token, known);
      }
    }
    HubUser user = check(token, withoutBlocking);
    if (checkedTokenCache > 0) {
      remember(token, user);
    }
    return user;
  }

  private void remember(String token, HubUser user) {
    Instant exp = user.expiration().orElse(null);
    if (exp == null) {
      return;
    }
    int slot = (int) Math.floorMod(checkedNext.getAndIncrement(), (long) checkedTokenCache);
    String oldest = checkedOrder.getAndSet(slot, token);
    if (oldest != null && !oldest.equals(token)) {
      checkedTokens.remove(oldest);
    }
    checkedTokens.put(
        token,
        new Checked(user, System.nanoTime() + CHECKED_TOKEN_TTL.toNanos(), exp.toEpochMilli()));
    if (checkedTokens.size() > 2 * checkedTokenCache) {
      // Only when puts raced their slot's next overwrite: never past twice the bound.
      checkedTokens.clear();
    }
  }

  private HubUser check(String token, boolean withoutBlocking)
      throws UnauthorizedException, WouldBlockException {
    if (plainHs256 != null) {
      Map<String, Object> claims = plainHs256.check(token);
      if (claims != null) {
        return user(claims);
      }
    }
    return checkWithNimbus(token, withoutBlocking);
  }

  /** The check with Nimbus alone (every token the plain HS256 check did not accept). */
  HubUser checkWithNimbus(String token, boolean withoutBlocking)
      throws UnauthorizedException, WouldBlockException {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new UnauthorizedException("The bearer token is not a JWT");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new UnauthorizedException("The bearer token is not a signed JWT");
    }
    JWSAlgorithm alg = signed.getHeader().getAlgorithm();
    DefaultJWTProcessor<SecurityContext> processor;
    if (JWSAlgorithm.HS256.equals(alg) && hmacProcessor != null) {
      processor = hmacProcessor;
    } else if (PROVIDER_ALGORITHMS.contains(alg) && providerProcessor != null) {
      processor = withoutBlocking ? cachedKeysProcessor : providerProcessor;
    } else {
      throw new UnauthorizedException("The bearer token's algorithm " + alg + " is not accepted");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(signed, null);
    } catch (ExpiredJWTException e) {
      throw new UnauthorizedException("The bearer token has expired");
    } catch (BadJWTException e) {
      throw new UnauthorizedException("The bearer token's claims are not valid: " + e.getMessage());
    } catch (BadJOSEException e) {
      throw new UnauthorizedException("The bearer token was rejected: " + e.getMessage());
    } catch (NotFetched e) {
      throw WouldBlockException.INSTANCE;
    } catch (KeySourceException e) {
      log.warn("The token signing keys could not be fetched: {}", e.getMessage());
      throw new UnauthorizedException("The token signing keys are not available", e);
    } catch (JOSEException e) {
      throw new UnauthorizedException("The bearer token's signature cannot be checked", e);
    }
    return user(claims.getClaims());
  }

  /** The plain HS256 check alone: the claims of a token it accepts, else null. */
  Map<String, Object> checkPlainHs256(String token) {
    return plainHs256 == null ? null : plainHs256.check(token);
  }

  private HubUser user(Map<String, Object> claims) throws UnauthorizedException {
    Object id = claims.get(userIdClaim);
    if (!(id instanceof String userId) || userId.isEmpty()) {
      throw new UnauthorizedException("The bearer token has no " + userIdClaim + " claim");
    }
    String name = text(claims.get(nameClaim));
    if (name == null) {
      name = text(claims.get("preferred_username"));
    }
    Map<String, Object> all = new LinkedHashMap<>();
    claims.forEach(
        (k, v) -> {
          if (v != null) {
            all.put(k, v);
          }
        });
    return new HubUser(userId, name != null ? name : userId, all);
  }

  private static String text(Object claim) {
    return claim instanceof String s && !s.isBlank() ? s : null;
  }

  private static DefaultJWTProcessor<SecurityContext> processor(
      JWSVerificationKeySelector<SecurityContext> keys, String issuer, Builder b) {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    // RFC 9068 access tokens say "at+jwt"; most providers say "JWT" or nothing.
    p.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT,
            new JOSEObjectType("at+jwt"),
            new JOSEObjectType("application/at+jwt"),
            null));
    p.setJWSKeySelector(keys);
    JWTClaimsSet exact =
        issuer == null
            ? new JWTClaimsSet.Builder().build()
            : new JWTClaimsSet.Builder().issuer(issuer).build();
    Set<String> required = new HashSet<>(Set.of("exp", b.userIdClaim));
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(
            b.audience == null ? null : Set.of(b.audience), exact, required, null);
    verifier.setMaxClockSkew(b.clockSkewSeconds());
    p.setJWTClaimsSetVerifier(verifier);
    return p;
  }

  private static JWKSource<SecurityContext> providerKeys(Builder b, FetchedKeys fetched) {
    if (b.authority == null && b.jwksUrl == null) {
      return null;
    }
    int timeout = (int) Math.min(Integer.MAX_VALUE, b.httpTimeout.toMillis());
    ResourceRetriever retriever =
        new DefaultResourceRetriever(timeout, timeout, JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT);
    // Every key-set fetch (not the discovery document's) is seen by the non-blocking check too.
    ResourceRetriever keySetRetriever =
        url -> {
          long startedAt = System.nanoTime();
          Resource resource = retriever.retrieveResource(url);
          fetched.fetched(resource.getContent(), startedAt);
          return resource;
        };
    Function<URL, JWKSource<SecurityContext>> fromUrl =
        url -> {
          JWKSourceBuilder<SecurityContext> keys =
              JWKSourceBuilder.<SecurityContext>create(url, keySetRetriever)
                  .cache(
                      b.keyCacheTtl.toMillis(),
                      Math.min(b.httpTimeout.toMillis(), b.keyCacheTtl.toMillis()))
                  .refreshAheadCache(false)
                  .rateLimited(b.keyRefreshMinInterval.toMillis())
                  .retrying(false);
          if (b.outageTolerance == null) {
            keys.outageTolerantForever();
          } else {
            keys.outageTolerant(b.outageTolerance.toMillis());
          }
          return keys.build();
        };
    if (b.jwksUrl != null) {
      return fromUrl.apply(url(b.jwksUrl));
    }
    return new DiscoveredKeys(b.authority, retriever, fromUrl, b.keyRefreshMinInterval);
  }

  private static URL url(String url) {
    try {
      return URI.create(url).toURL();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("Not a URL: " + url, e);
    }
  }

  /** {@link FetchedKeys} has no answer without a fetch: the check must run where it may block. */
  private static final class NotFetched extends KeySourceException {
    private static final long serialVersionUID = 1L;
    static final NotFetched INSTANCE = new NotFetched();

    private NotFetched() {
      super("The key set would have to be fetched");
      setStackTrace(new StackTraceElement[0]);
    }
  }

  /**
   * The key set fetched last (the keys the blocking path's cache holds), for checks on the event
   * loop: valid for the cache's time to live from the start of its fetch; a selector that finds no
   * key in it (an unknown {@code kid}), or a set that expired or was never fetched, throws {@link
   * NotFetched} so that the blocking path (which may fetch) decides.
   */
  private static final class FetchedKeys implements JWKSource<SecurityContext> {
    private record Snapshot(JWKSet keys, long expiresAt) {}

    private final long ttlNanos;
    private volatile Snapshot snapshot;

    FetchedKeys(Duration ttl) {
      this.ttlNanos = ttl.toNanos();
    }

    void fetched(String content, long startedAt) {
      try {
        snapshot = new Snapshot(JWKSet.parse(content), startedAt + ttlNanos);
      } catch (ParseException | RuntimeException e) {
        // Not a key set: the blocking path reports it; the last good set stays until it expires.
      }
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
      Snapshot s = snapshot;
      if (s == null || System.nanoTime() - s.expiresAt() >= 0) {
        throw NotFetched.INSTANCE;
      }
      List<JWK> keys = selector.select(s.keys());
      if (keys.isEmpty()) {
        throw NotFetched.INSTANCE;
      }
      return keys;
    }
  }

  /**
   * The keys of an OpenID Connect issuer: its discovery document ({@code
   * /.well-known/openid-configuration}) is read on first use (a failure is retried at most once per
   * refresh interval), its {@code issuer} must equal the authority, and its {@code jwks_uri} is the
   * key set from then on.
   */
  private static final class DiscoveredKeys implements JWKSource<SecurityContext> {
    private final String authority;
    private final ResourceRetriever retriever;
    private final Function<URL, JWKSource<SecurityContext>> fromUrl;
    private final long retryNanos;
    private volatile JWKSource<SecurityContext> keys;
    private KeySourceException lastFailure;
    private long lastFailureAt;

    DiscoveredKeys(
        String authority,
        ResourceRetriever retriever,
        Function<URL, JWKSource<SecurityContext>> fromUrl,
        Duration retry) {
      this.authority = authority;
      this.retriever = retriever;
      this.fromUrl = fromUrl;
      this.retryNanos = retry.toNanos();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
      JWKSource<SecurityContext> k = keys;
      return (k != null ? k : discover()).get(selector, context);
    }

    private synchronized JWKSource<SecurityContext> discover() throws KeySourceException {
      if (keys != null) {
        return keys;
      }
      long now = System.nanoTime();
      if (lastFailure != null && now - lastFailureAt < retryNanos) {
        throw lastFailure;
      }
      String where =
          (authority.endsWith("/") ? authority.substring(0, authority.length() - 1) : authority)
              + "/.well-known/openid-configuration";
      try {
        Map<String, Object> doc =
            JSONObjectUtils.parse(retriever.retrieveResource(url(where)).getContent());
        String issuer = JSONObjectUtils.getString(doc, "issuer");
        if (!authority.equals(issuer)) {
          throw new IOException(
              "its issuer " + issuer + " is not the configured authority " + authority);
        }
        String jwksUri = JSONObjectUtils.getString(doc, "jwks_uri");
        if (jwksUri == null) {
          throw new IOException("it has no jwks_uri");
        }
        keys = fromUrl.apply(url(jwksUri));
        lastFailure = null;
        return keys;
      } catch (IOException | ParseException | IllegalArgumentException e) {
        lastFailure =
            new RemoteKeySourceException(
                "The OpenID Connect discovery document "
                    + where
                    + " is not usable: "
                    + e.getMessage(),
                e);
        lastFailureAt = now;
        throw lastFailure;
      }
    }
  }

  /** The settings; at least one of a secret, an authority or a JWK set URL is required. */
  public static final class Builder {
    private byte[] hmacSecret;
    private String authority;
    private String jwksUrl;
    private String issuer;
    private String audience;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private Duration keyCacheTtl = DEFAULT_KEY_CACHE_TTL;
    private Duration keyRefreshMinInterval = DEFAULT_KEY_REFRESH_MIN_INTERVAL;
    private Duration outageTolerance;
    private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
    private String userIdClaim = "sub";
    private String nameClaim = "name";
    private int checkedTokenCache = DEFAULT_CHECKED_TOKEN_CACHE;

    private Builder() {}

    /** The clock skew as Nimbus's verifier takes it, and the plain HS256 check with it. */
    private int clockSkewSeconds() {
      return (int) Math.min(Integer.MAX_VALUE, clockSkew.toSeconds());
    }

    /** Accepts HS256 tokens signed with this key (at least 32 bytes). */
    public Builder hmacSecret(byte[] secret) {
      if (secret != null && secret.length < 32) {
        throw new IllegalArgumentException("An HS256 key must be at least 32 bytes");
      }
      this.hmacSecret = secret == null ? null : secret.clone();
      return this;
    }

    /**
     * The OpenID Connect issuer: keys come from its discovery document's {@code jwks_uri}, and
     * provider tokens must carry exactly this {@code iss}.
     */
    public Builder authority(String issuerUrl) {
      if (issuerUrl != null) {
        url(issuerUrl);
      }
      this.authority = issuerUrl;
      return this;
    }

    /** A JWK set URL to take keys from without discovery (ignored when an authority is set). */
    public Builder jwksUrl(String url) {
      if (url != null) {
        url(url);
      }
      this.jwksUrl = url;
      return this;
    }

    /**
     * The {@code iss} HS256 tokens must carry, and provider tokens too when no authority is set;
     * {@code null}: not checked.
     */
    public Builder issuer(String issuer) {
      this.issuer = issuer;
      return this;
    }

    /** The {@code aud} every token must contain; {@code null}: not checked. */
    public Builder audience(String audience) {
      this.audience = audience;
      return this;
    }

    /** Tolerance for {@code exp} and {@code nbf}; default 30 s. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = nonNegative(skew, "clockSkew");
      return this;
    }

    /** How long a fetched key set is used before it is fetched again; default 5 min. */
    public Builder keyCacheTtl(Duration ttl) {
      this.keyCacheTtl = positive(ttl, "keyCacheTtl");
      return this;
    }

    /**
     * The least time between two key-set fetches caused by unknown {@code kid}s (and between two
     * discovery attempts after a failure); default 30 s.
     */
    public Builder keyRefreshMinInterval(Duration interval) {
      this.keyRefreshMinInterval = positive(interval, "keyRefreshMinInterval");
      return this;
    }

    /**
     * How long the last good key set stays in use while fetching fails; {@code null} (the default):
     * for as long as fetching fails.
     */
    public Builder outageTolerance(Duration tolerance) {
      this.outageTolerance = tolerance == null ? null : positive(tolerance, "outageTolerance");
      return this;
    }

    /** Connect and read timeout of each discovery or key-set fetch; default 5 s. */
    public Builder httpTimeout(Duration timeout) {
      this.httpTimeout = positive(timeout, "httpTimeout");
      return this;
    }

    /** The claim that is the user id; default {@code sub}. */
    public Builder userIdClaim(String claim) {
      this.userIdClaim = Objects.requireNonNull(claim, "claim");
      return this;
    }

    /**
     * How many tokens that passed every check are remembered, so that the same token again (a
     * connect sends it with negotiate and again with the WebSocket request) is answered without
     * parsing and verifying it: for at most {@link #CHECKED_TOKEN_TTL} and never past its {@code
     * exp} (without the clock skew). A provider key removed from the key set still admits a token
     * it signed for that long. Default {@value #DEFAULT_CHECKED_TOKEN_CACHE}; 0 = none.
     */
    public Builder checkedTokenCache(int maxTokens) {
      if (maxTokens < 0) {
        throw new IllegalArgumentException("checkedTokenCache must not be negative");
      }
      this.checkedTokenCache = maxTokens;
      return this;
    }

    /** The claim that is the display name; default {@code name}. */
    public Builder nameClaim(String claim) {
      this.nameClaim = Objects.requireNonNull(claim, "claim");
      return this;
    }

    public JwtBearerAuthenticator build() {
      if (hmacSecret == null && authority == null && jwksUrl == null) {
        throw new IllegalStateException(
            "A JWT authenticator needs an HS256 secret, an authority or a JWK set URL");
      }
      return new JwtBearerAuthenticator(this);
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return d;
    }
  }
}
