package org.jvmchat.hub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jvmchat.hub.HubUser;
import org.jvmchat.testing.TestOidcProvider;

/**
 * {@link JwtBearerAuthenticator} against a real OpenID Connect provider over HTTP ({@link
 * TestOidcProvider}): discovery, the three algorithms, the claim checks, key rotation and outages.
 */
class JwtBearerAuthenticatorTest {
  private static final byte[] SECRET =
      "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

  private final TestOidcProvider provider = TestOidcProvider.start("chat-api");

  @AfterEach
  void stop() {
    provider.close();
  }

  private JwtBearerAuthenticator.Builder authority() {
    return JwtBearerAuthenticator.builder().authority(provider.issuer()).audience("chat-api");
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "PS256", "ES256"})
  void acceptsProviderTokensFoundThroughDiscovery(String alg) throws Exception {
    JwtBearerAuthenticator auth = authority().build();
    String token = provider.token(JWSAlgorithm.parse(alg), "alice", "Alice", Duration.ofMinutes(5));

    HubUser user = auth.validate(token);

    assertThat(user.id()).isEqualTo("alice");
    assertThat(user.name()).isEqualTo("Alice");
    assertThat(user.claims()).containsEntry("iss", provider.issuer());
    assertThat(user.expiration()).get().matches(e -> e.isAfter(Instant.now()));
  }

  @Test
  void readsTheTokenFromTheHeaderOrTheAccessTokenQuery() throws Exception {
    JwtBearerAuthenticator auth = authority().build();
    String token = provider.token(JWSAlgorithm.RS256, "bob", "Bob", Duration.ofMinutes(5));

    HubUser fromHeader =
        auth.authenticate(
            new HttpRequest(
                "GET",
                "/hub",
                Map.of(),
                Map.of("authorization", List.of("Bearer " + token)),
                Map.of(),
                null,
                "127.0.0.1",
                null));
    HubUser fromQuery =
        auth.authenticate(
            new HttpRequest(
                "GET",
                "/hub",
                Map.of("access_token", List.of(token)),
                Map.of(),
                Map.of(),
                null,
                "127.0.0.1",
                null));
    HubUser none =
        auth.authenticate(
            new HttpRequest("GET", "/hub", Map.of(), Map.of(), Map.of(), null, "127.0.0.1", null));

    assertThat(fromHeader.id()).isEqualTo("bob");
    assertThat(fromQuery.id()).isEqualTo("bob");
    assertThat(none).isNull();
  }

  @Test
  void acceptsKeysStraightFromAJwkSetUrl() throws Exception {
    JwtBearerAuthenticator auth =
        JwtBearerAuthenticator.builder()
            .jwksUrl(provider.jwksUrl())
            .issuer(provider.issuer())
            .build();

    assertThat(
            auth.validate(
                    provider.token(JWSAlgorithm.ES256, "carol", "Carol", Duration.ofMinutes(1)))
                .id())
        .isEqualTo("carol");
  }

  @Test
  void rejectsAnotherIssuer() {
    JwtBearerAuthenticator auth = authority().build();
    String token =
        provider.token(
            JWSAlgorithm.RS256, c -> c.subject("mallory").issuer("https://elsewhere.example"));

    assertThatThrownBy(() -> auth.validate(token))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("iss");
  }

  @Test
  void rejectsAnotherAudience() {
    JwtBearerAuthenticator auth = authority().build();
    String token = provider.token(JWSAlgorithm.RS256, c -> c.subject("mallory").audience("other"));

    assertThatThrownBy(() -> auth.validate(token))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("aud");
  }

  @Test
  void rejectsAnExpiredTokenButToleratesTheClockSkew() throws Exception {
    JwtBearerAuthenticator auth = authority().clockSkew(Duration.ofSeconds(30)).build();
    Instant now = Instant.now();
    String expired =
        provider.token(
            JWSAlgorithm.RS256,
            c ->
                c.subject("dave")
                    .issueTime(Date.from(now.minus(10, ChronoUnit.MINUTES)))
                    .notBeforeTime(Date.from(now.minus(10, ChronoUnit.MINUTES)))
                    .expirationTime(Date.from(now.minusSeconds(60))));
    String withinSkew =
        provider.token(
            JWSAlgorithm.RS256,
            c -> c.subject("dave").expirationTime(Date.from(now.minusSeconds(5))));

    assertThatThrownBy(() -> auth.validate(expired))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessage("The bearer token has expired");
    assertThat(auth.validate(withinSkew).id()).isEqualTo("dave");
  }

  @Test
  void rejectsATokenNotValidYet() {
    JwtBearerAuthenticator auth = authority().clockSkew(Duration.ofSeconds(30)).build();
    Instant now = Instant.now();
    String early =
        provider.token(
            JWSAlgorithm.ES256,
            c -> c.subject("erin").notBeforeTime(Date.from(now.plus(5, ChronoUnit.MINUTES))));

    assertThatThrownBy(() -> auth.validate(early))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("before use time");
  }

  @Test
  void rejectsATokenWithoutExpiryOrSubject() {
    JwtBearerAuthenticator auth = authority().build();
    String noExp = provider.token(JWSAlgorithm.RS256, c -> c.subject("frank").expirationTime(null));
    String noSub = provider.token(JWSAlgorithm.RS256, c -> c.claim("name", "Nobody"));

    assertThatThrownBy(() -> auth.validate(noExp)).hasMessageContaining("exp");
    assertThatThrownBy(() -> auth.validate(noSub)).hasMessageContaining("sub");
  }

  @Test
  void rejectsATokenSignedByAnotherProvidersKey() {
    JwtBearerAuthenticator auth = authority().build();
    try (TestOidcProvider other = TestOidcProvider.start("chat-api")) {
      // Same key ids ("rsa-1"), same claims, our issuer: only the signature differs.
      String forged =
          other.token(JWSAlgorithm.RS256, c -> c.subject("mallory").issuer(provider.issuer()));

      assertThatThrownBy(() -> auth.validate(forged))
          .isInstanceOf(UnauthorizedException.class)
          .hasMessageContaining("signature");
    }
  }

  @Test
  void anUnknownKeyIdRefreshesTheKeySetAtMostOncePerInterval() throws Exception {
    JwtBearerAuthenticator auth = authority().keyRefreshMinInterval(Duration.ofSeconds(2)).build();
    auth.validate(provider.token(JWSAlgorithm.RS256, "alice", "Alice", Duration.ofMinutes(5)));
    assertThat(provider.jwksFetches()).isEqualTo(1);

    provider.rotateKeys(false);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(
                        auth.validate(
                                provider.token(
                                    JWSAlgorithm.RS256, "alice", "Alice", Duration.ofMinutes(5)))
                            .id())
                    .isEqualTo("alice"));
    int afterRotation = provider.jwksFetches();
    assertThat(afterRotation).isBetween(2, 3);

    // A burst of tokens with unknown key ids (another rotation) within the interval: no storm.
    provider.rotateKeys(false);
    for (int i = 0; i < 20; i++) {
      String t = provider.token(JWSAlgorithm.ES256, "alice", "Alice", Duration.ofMinutes(5));
      try {
        auth.validate(t);
      } catch (UnauthorizedException expectedWhileRateLimited) {
        // the key set may not be fetched again yet
      }
    }
    assertThat(provider.jwksFetches() - afterRotation).isLessThanOrEqualTo(2);
  }

  @Test
  void aKeySetOutageKeepsTheLastGoodKeys() throws Exception {
    JwtBearerAuthenticator auth =
        authority()
            .checkedTokenCache(0) // the same token again must reach the key set
            .keyCacheTtl(Duration.ofMillis(200))
            .keyRefreshMinInterval(Duration.ofMillis(100))
            .build();
    String token = provider.token(JWSAlgorithm.PS256, "alice", "Alice", Duration.ofMinutes(5));
    auth.validate(token);
    int before = provider.jwksFetches();

    provider.jwksAvailable(false);
    // Past the cache lifetime every use tries to fetch again, fails, and keeps the old keys.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              assertThat(auth.validate(token).id()).isEqualTo("alice");
              assertThat(provider.jwksFetches()).isGreaterThan(before);
            });
    assertThat(auth.validate(token).id()).isEqualTo("alice");
  }

  @Test
  void withoutAnyGoodKeysTokensAreRefusedWithAReason() {
    provider.jwksAvailable(false);
    JwtBearerAuthenticator auth = authority().build();

    assertThatThrownBy(
            () ->
                auth.validate(
                    provider.token(JWSAlgorithm.RS256, "alice", "Alice", Duration.ofMinutes(5))))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("keys");
  }

  @Test
  void aDiscoveryDocumentOfAnotherIssuerIsNotTrusted() {
    JwtBearerAuthenticator auth =
        JwtBearerAuthenticator.builder().authority(provider.issuer() + "/other").build();

    assertThatThrownBy(
            () ->
                auth.validate(
                    provider.token(JWSAlgorithm.RS256, "alice", "Alice", Duration.ofMinutes(5))))
        .isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void hs256KeepsWorkingBesideTheProvider() throws Exception {
    JwtBearerAuthenticator both = authority().hmacSecret(SECRET).issuer("dev").build();
    JwtBearerAuthenticator providerOnly = authority().build();
    JwtBearerAuthenticator secretOnly = JwtBearerAuthenticator.builder().hmacSecret(SECRET).build();
    String hs = hs256("grace", "dev", "chat-api");
    String rs = provider.token(JWSAlgorithm.RS256, "heidi", "Heidi", Duration.ofMinutes(5));

    assertThat(both.validate(hs).id()).isEqualTo("grace");
    assertThat(both.validate(rs).id()).isEqualTo("heidi");
    assertThat(secretOnly.validate(hs256("grace", null, null)).id()).isEqualTo("grace");
    assertThatThrownBy(() -> providerOnly.validate(hs)).hasMessageContaining("HS256");
    assertThatThrownBy(() -> secretOnly.validate(rs)).hasMessageContaining("RS256");
    assertThatThrownBy(() -> both.validate(hs256("grace", "other", "chat-api")))
        .hasMessageContaining("iss");
  }

  @Test
  void checksOnTheEventLoopOnlyWhatNeedsNoKeySetFetch() throws Exception {
    JwtBearerAuthenticator auth =
        authority()
            .hmacSecret(SECRET)
            .issuer("dev")
            .keyRefreshMinInterval(Duration.ofMillis(100))
            .build();
    // HS256: CPU only, always answered without blocking; a bad one is refused there too.
    assertThat(auth.tryValidate(hs256("grace", "dev", "chat-api")).id()).isEqualTo("grace");
    assertThatThrownBy(() -> auth.tryValidate(hs256("grace", "other", "chat-api")))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("iss");

    // No key set fetched yet: a provider token would need a fetch, so it is not checked here.
    String rs = provider.token(JWSAlgorithm.RS256, "heidi", "Heidi", Duration.ofMinutes(5));
    assertThatThrownBy(() -> auth.tryValidate(rs)).isSameAs(WouldBlockException.INSTANCE);
    assertThat(provider.jwksFetches()).isZero();

    // The blocking check fetches the keys; from then on the same key is checked without blocking.
    assertThat(auth.validate(rs).id()).isEqualTo("heidi");
    int fetches = provider.jwksFetches();
    assertThat(fetches).isEqualTo(1);
    assertThat(auth.tryValidate(rs).id()).isEqualTo("heidi");
    HttpRequest request =
        new HttpRequest(
            "GET",
            "/hub",
            Map.of(),
            Map.of("authorization", List.of("Bearer " + rs)),
            Map.of(),
            null,
            "127.0.0.1",
            null);
    assertThat(auth.tryAuthenticate(request).id()).isEqualTo("heidi");
    assertThatThrownBy(
            () ->
                auth.tryValidate(
                    provider.token(JWSAlgorithm.RS256, "heidi", "Heidi", Duration.ofSeconds(-60))))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("expired");

    // A key id the fetched set does not have (a rotation): the blocking check decides (and may
    // fetch); the non-blocking one never fetches.
    provider.rotateKeys(false);
    String rotated = provider.token(JWSAlgorithm.ES256, "ivan", "Ivan", Duration.ofMinutes(5));
    assertThatThrownBy(() -> auth.tryValidate(rotated)).isSameAs(WouldBlockException.INSTANCE);
    assertThat(provider.jwksFetches()).isEqualTo(fetches);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(150))
        .untilAsserted(() -> assertThat(auth.validate(rotated).id()).isEqualTo("ivan"));
    assertThat(auth.tryValidate(rotated).id()).isEqualTo("ivan");
  }

  @Test
  void anExpiredKeySetIsNotUsedOnTheEventLoop() throws Exception {
    JwtBearerAuthenticator auth =
        authority()
            .checkedTokenCache(0) // the same token again must reach the key set
            .keyCacheTtl(Duration.ofMillis(300))
            .keyRefreshMinInterval(Duration.ofMillis(100))
            .build();
    String token = provider.token(JWSAlgorithm.RS256, "alice", "Alice", Duration.ofMinutes(5));
    auth.validate(token);
    int fetches = provider.jwksFetches();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> auth.tryValidate(token))
                    .isSameAs(WouldBlockException.INSTANCE));
    assertThat(provider.jwksFetches()).isEqualTo(fetches);
    auth.validate(token); // fetches again
    assertThat(provider.jwksFetches()).isEqualTo(fetches + 1);
    assertThat(auth.tryValidate(token).id()).isEqualTo("alice");
  }

  @Test
  void aCheckedTokenIsAnsweredAgainWithoutItsKeyButNeverPastItsExpiry() throws Exception {
    JwtBearerAuthenticator cached = briefKeys().build();
    JwtBearerAuthenticator uncached = briefKeys().checkedTokenCache(0).build();
    String token = provider.token(JWSAlgorithm.RS256, "alice", "Alice", Duration.ofMinutes(5));
    assertThat(cached.validate(token).id()).isEqualTo("alice");
    assertThat(uncached.validate(token).id()).isEqualTo("alice");

    // The key set cannot be fetched and the last one is past its tolerance: a full check fails,
    // the token checked before is still answered.
    awaitKeySetGone(uncached, token);
    assertThat(cached.validate(token).id()).isEqualTo("alice");
    assertThat(cached.tryValidate(token).id()).isEqualTo("alice");

    // Never past exp, even within the clock skew the full check allows.
    JwtBearerAuthenticator hs = JwtBearerAuthenticator.builder().hmacSecret(SECRET).build();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject("carol")
            .expirationTime(Date.from(Instant.now().plusSeconds(2)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(SECRET));
    String shortLived = jwt.serialize();
    JwtBearerAuthenticator strict =
        JwtBearerAuthenticator.builder().hmacSecret(SECRET).clockSkew(Duration.ZERO).build();
    assertThat(hs.validate(shortLived).id()).isEqualTo("carol");
    assertThat(strict.validate(shortLived).id()).isEqualTo("carol");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> strict.validate(shortLived))
                    .isInstanceOf(UnauthorizedException.class)
                    .hasMessageContaining("expired"));
    assertThat(hs.validate(shortLived).id()).isEqualTo("carol"); // within the default skew
    assertThatThrownBy(() -> JwtBearerAuthenticator.builder().checkedTokenCache(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFullCheckedTokenCacheForgetsItsOldestTokenFirst() throws Exception {
    JwtBearerAuthenticator cached = briefKeys().checkedTokenCache(2).build();
    JwtBearerAuthenticator uncached = briefKeys().checkedTokenCache(0).build();
    String first = provider.token(JWSAlgorithm.RS256, "alice", "Alice", Duration.ofMinutes(5));
    String second = provider.token(JWSAlgorithm.RS256, "bob", "Bob", Duration.ofMinutes(5));
    String third = provider.token(JWSAlgorithm.RS256, "carol", "Carol", Duration.ofMinutes(5));
    assertThat(cached.validate(first).id()).isEqualTo("alice");
    assertThat(cached.validate(second).id()).isEqualTo("bob");
    assertThat(cached.validate(third).id()).isEqualTo("carol"); // the cache holds 2: first goes
    assertThat(uncached.validate(first).id()).isEqualTo("alice");

    // Without the key set only what the cache still holds is answered.
    awaitKeySetGone(uncached, first);
    assertThat(cached.validate(second).id()).isEqualTo("bob");
    assertThat(cached.validate(third).id()).isEqualTo("carol");
    assertThatThrownBy(() -> cached.validate(first)).isInstanceOf(UnauthorizedException.class);
  }

  /**
   * Takes the provider's key set away and waits until an authenticator without the checked-token
   * cache refuses {@code token}: from then on only a cache can admit it.
   */
  private void awaitKeySetGone(JwtBearerAuthenticator uncached, String token) {
    provider.jwksAvailable(false);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> uncached.validate(token))
                    .isInstanceOf(UnauthorizedException.class));
  }

  private JwtBearerAuthenticator.Builder briefKeys() {
    return authority()
        .keyCacheTtl(Duration.ofMillis(200))
        .keyRefreshMinInterval(Duration.ofMillis(100))
        .outageTolerance(Duration.ofMillis(200));
  }

  private static String hs256(String sub, String iss, String aud) throws JOSEException {
    JWTClaimsSet.Builder c =
        new JWTClaimsSet.Builder()
            .subject(sub)
            .expirationTime(Date.from(Instant.now().plusSeconds(300)));
    if (iss != null) {
      c.issuer(iss);
    }
    if (aud != null) {
      c.audience(aud);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), c.build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }
}
