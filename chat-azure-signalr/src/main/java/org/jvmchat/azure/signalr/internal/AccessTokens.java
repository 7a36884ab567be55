package org.jvmchat.azure.signalr.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvmchat.hub.HubUser;

/**
 * The tokens the service checks, made as the official SDK makes them: HS256 over the access key's
 * UTF-8 bytes, {@code aud} the URL being called ({@code <endpoint>/server/?hub=<hub>} for a server
 * connection, {@code <endpoint>/client/?hub=<hub>} for a client), {@code exp}, {@code iat} and
 * {@code nbf}; a server token carries the server id as {@code nameid}; a client token carries the
 * user id as {@code asrs.s.uid} and the user's own claims (those named like a system claim get the
 * {@code asrs.u.} prefix, which the service removes again).
 */
public final class AccessTokens {
  public static final String USER_ID = "asrs.s.uid";
  public static final String SYSTEM_PREFIX = "asrs.s.";
  public static final String USER_PREFIX = "asrs.u.";
  public static final String NAME_IDENTIFIER =
      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier";
  private static final Set<String> SYSTEM_CLAIMS = Set.of("aud", "exp", "iat", "nbf");

  private final MACSigner signer;
  private final Duration lifetime;
  private final Clock clock;

  public AccessTokens(String accessKey, Duration lifetime, Clock clock) {
    try {
      this.signer = new MACSigner(accessKey.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "The AccessKey is too short to sign HS256 tokens (at least 32 bytes)");
    }
    this.lifetime = lifetime;
    this.clock = clock;
  }

  /** A server connection's token. */
  public String server(String audience, String serverId) {
    JWTClaimsSet.Builder b = base(audience);
    if (serverId != null) {
      b.claim("nameid", serverId);
    }
    return sign(b.build());
  }

  /** A client's token for the service, carrying {@code user} (null: anonymous). */
  public String client(String audience, HubUser user) {
    JWTClaimsSet.Builder b = base(audience);
    if (user != null) {
      b.claim(USER_ID, user.id());
      for (Map.Entry<String, Object> e : user.claims().entrySet()) {
        String name = e.getKey();
        if (name.startsWith(SYSTEM_PREFIX)) {
          continue;
        }
        Object v = e.getValue();
        Object value =
            v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : String.valueOf(v);
        b.claim(SYSTEM_CLAIMS.contains(name) ? USER_PREFIX + name : name, value);
      }
      if (!user.claims().containsKey("name") && user.name() != null) {
        b.claim("name", user.name());
      }
    }
    return sign(b.build());
  }

  private JWTClaimsSet.Builder base(String audience) {
    Date now = Date.from(clock.instant());
    return new JWTClaimsSet.Builder()
        .audience(audience)
        .issueTime(now)
        .notBeforeTime(now)
        .expirationTime(Date.from(clock.instant().plus(lifetime)));
  }

  private String sign(JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("Signing failed", e);
    }
    return jwt.serialize();
  }
}
