package org.jvmchat.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.UnauthorizedException;

class JwtTokensTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.parse("2026-11-28T03:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  JwtTokens tokens(String issuer, String audience) {
    return new JwtTokens(KEY, issuer, audience, Duration.ofSeconds(60), CLOCK);
  }

  @Test
  void anIssuedTokenValidatesToItsUser() throws Exception {
    JwtTokens t = tokens(null, null);
    HubUser user = t.validate(t.issue("alice", "Alice Liddell", Duration.ofHours(1)));
    assertThat(user.id()).isEqualTo("alice");
    assertThat(user.name()).isEqualTo("Alice Liddell");
    assertThat(user.claims()).containsKeys("sub", "name", "exp", "iat");
  }

  @Test
  void expiredTokensAreRefusedAfterTheClockSkew() throws Exception {
    String token = tokens(null, null).issue("alice", "Alice", Duration.ofMinutes(5));
    JwtTokens later =
        new JwtTokens(
            KEY,
            null,
            null,
            Duration.ofSeconds(60),
            Clock.fixed(NOW.plusSeconds(330), ZoneOffset.UTC));
    assertThat(later.validate(token).id()).isEqualTo("alice"); // within skew
    JwtTokens muchLater =
        new JwtTokens(
            KEY,
            null,
            null,
            Duration.ofSeconds(60),
            Clock.fixed(NOW.plusSeconds(400), ZoneOffset.UTC));
    assertThatThrownBy(() -> muchLater.validate(token))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("expired");
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
    byte[] other = "ffffffffffffffffffffffffffffffff".getBytes(StandardCharsets.UTF_8);
    String token =
        new JwtTokens(other, null, null, Duration.ZERO, CLOCK).issue("a", "A", Duration.ofHours(1));
    assertThatThrownBy(() -> tokens(null, null).validate(token)).hasMessageContaining("signature");
  }

  @Test
  void unsignedMalformedAndExpiryLessTokensAreRefused() throws Exception {
    JwtTokens t = tokens(null, null);
    String plain =
        new PlainJWT(
                new JWTClaimsSet.Builder()
                    .subject("a")
                    .expirationTime(Date.from(NOW.plusSeconds(60)))
                    .build())
            .serialize();
    assertThatThrownBy(() -> t.validate(plain)).isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> t.validate("abc.def")).isInstanceOf(UnauthorizedException.class);
    SignedJWT noExp =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("a").build());
    noExp.sign(new MACSigner(KEY));
    assertThatThrownBy(() -> t.validate(noExp.serialize())).hasMessageContaining("no expiry");
    SignedJWT noSub =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder().expirationTime(Date.from(NOW.plusSeconds(60))).build());
    noSub.sign(new MACSigner(KEY));
    assertThatThrownBy(() -> t.validate(noSub.serialize())).hasMessageContaining("sub is required");
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
    JwtTokens strict = tokens("jvmchat", "chat-api");
    String good = strict.issue("alice", "Alice", Duration.ofHours(1));
    assertThat(strict.validate(good).id()).isEqualTo("alice");
    String bare = tokens(null, null).issue("alice", "Alice", Duration.ofHours(1));
    assertThatThrownBy(() -> strict.validate(bare)).hasMessageContaining("issuer");
    String wrongAudience = tokens("jvmchat", "other").issue("alice", "Alice", Duration.ofHours(1));
    assertThatThrownBy(() -> strict.validate(wrongAudience)).hasMessageContaining("audience");
  }

  @Test
  void aMissingNameFallsBackToTheUserId() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .subject("bob")
                .expirationTime(Date.from(NOW.plusSeconds(60)))
                .build());
    jwt.sign(new MACSigner(KEY));
    assertThat(tokens(null, null).validate(jwt.serialize()).name()).isEqualTo("bob");
  }
}
