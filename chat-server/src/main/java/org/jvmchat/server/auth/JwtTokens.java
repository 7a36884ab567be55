package org.jvmchat.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.persistence.ChatLimits;

/**
 * HS256 bearer tokens: {@code sub} is the user id, {@code name} the display name (the id when
 * absent), {@code exp} is required and checked, {@code nbf} is checked when present, {@code iss}
 * and {@code aud} are checked when configured. Thread-safe.
 */
public final class JwtTokens implements BearerTokenAuthenticator.TokenValidator {
  private final byte[] secret;
  private final String issuer;
  private final String audience;
  private final Duration clockSkew;
  private final Clock clock;
  private final JWSVerifier verifier;

  /**
   * @param secret the HS256 key, at least 32 bytes
   * @param issuer required issuer (and the one written), or null
   * @param audience required audience (and the one written), or null
   */
  public JwtTokens(byte[] secret, String issuer, String audience, Duration clockSkew, Clock clock) {
    this.secret = secret.clone();
    this.issuer = issuer;
    this.audience = audience;
    this.clockSkew = clockSkew;
    this.clock = clock;
    try {
      this.verifier = new MACVerifier(this.secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("The JWT key is not usable for HS256: " + e.getMessage());
    }
  }

  /** Issues a token for {@code userId} with display name {@code name}, valid for {@code ttl}. */
  public String issue(String userId, String name, Duration ttl) {
    Instant now = clock.instant();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(userId)
            .claim("name", name)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)));
    if (issuer != null) {
      claims.issuer(issuer);
    }
    if (audience != null) {
      claims.audience(audience);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException("Signing the token failed", e);
    }
    return jwt.serialize();
  }

  @Override
  public HubUser validate(String token) throws UnauthorizedException {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new UnauthorizedException("The bearer token is not a JWT");
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      throw new UnauthorizedException("The bearer token must be signed with HS256");
    }
    try {
      if (!jwt.verify(verifier)) {
        throw new UnauthorizedException("The bearer token's signature is not valid");
      }
    } catch (JOSEException e) {
      throw new UnauthorizedException("The bearer token's signature cannot be checked");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new UnauthorizedException("The bearer token has no expiry (exp)");
    }
    if (exp.toInstant().plus(clockSkew).isBefore(now)) {
      throw new UnauthorizedException("The bearer token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().minus(clockSkew).isAfter(now)) {
      throw new UnauthorizedException("The bearer token is not valid yet");
    }
    if (issuer != null && !issuer.equals(claims.getIssuer())) {
      throw new UnauthorizedException("The bearer token's issuer is not accepted");
    }
    if (audience != null) {
      List<String> aud = claims.getAudience();
      if (aud == null || !aud.contains(audience)) {
        throw new UnauthorizedException("The bearer token's audience is not accepted");
      }
    }
    String sub = claims.getSubject();
    String name;
    try {
      ChatLimits.requireUserId("sub", sub);
      Object nameClaim = claims.getClaim("name");
      // Controls and bidirectional overrides are removed: they would let one name pose as another.
      String claimed = nameClaim instanceof String s ? DisplayNames.strip(s) : null;
      name = claimed != null && !claimed.isBlank() ? claimed : sub;
      ChatLimits.requireUserName("name", name);
    } catch (IllegalArgumentException e) {
      throw new UnauthorizedException("The bearer token's claims are not valid: " + e.getMessage());
    }
    Map<String, Object> all = new LinkedHashMap<>();
    claims
        .getClaims()
        .forEach(
            (k, v) -> {
              if (v != null) {
                all.put(k, v);
              }
            });
    return new HubUser(sub, name, all);
  }
}
