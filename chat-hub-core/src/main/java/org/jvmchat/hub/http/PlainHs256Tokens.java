package org.jvmchat.hub.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HS256 check of {@link JwtBearerAuthenticator} for the plain tokens nearly every connect
 * presents — a header that is exactly {@code {"alg":"HS256"}} or {@code
 * {"alg":"HS256","typ":"JWT"}} (either order), a claims object of strings, integers and booleans
 * ({@code aud} also a list of strings) — without Nimbus JOSE: the HMAC with a per-thread {@link
 * Mac}, the claims read by one Jackson streaming parser. Per token that is about 3 KB of garbage
 * and 1–2 µs, where Nimbus's parse and processor (a JSON tree through Gson for the header and the
 * claims, a new {@code Mac}, a claims set) made 16 KB and 4.5 µs (measured on one thread, 200,000
 * distinct tokens), on the event loop of every connect.
 *
 * <p>It only ever <em>accepts</em>: {@link #check} answers the claims of a token that passes every
 * check Nimbus's {@code DefaultJWTProcessor} would make with the authenticator's settings (the
 * signature, compared in constant time; {@code exp} required, and after now less the clock skew;
 * {@code nbf}, when present, before now plus the skew; {@code iss} equal to the configured issuer;
 * {@code aud} containing the configured audience; the user id claim present), as the same claims
 * map Nimbus would give ({@code exp}, {@code nbf} and {@code iat} as {@link Date}s, {@code aud} as
 * a list, numbers as {@link Long}). Any other token — another header, a claim of another type, a
 * duplicate name, bad JSON or base64, a failed check — gets {@code null}, and the authenticator
 * checks it with Nimbus, which then gives the same answer or the same error as before.
 */
final class PlainHs256Tokens {
  private static final Base64.Encoder URL_ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Set<String> PLAIN_HEADERS =
      Set.of(
          encode("{\"alg\":\"HS256\"}"),
          encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"),
          encode("{\"typ\":\"JWT\",\"alg\":\"HS256\"}"));
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;
  private final String issuer;
  private final String audience;
  private final String userIdClaim;
  private final long skewMillis;

  /**
   * @param secret the HS256 key (at least 32 bytes, checked by the builder)
   * @param issuer the {@code iss} required, or null
   * @param audience the {@code aud} required, or null
   * @param userIdClaim the claim that must be present
   * @param skewSeconds the clock skew allowed, as Nimbus's verifier takes it
   */
  PlainHs256Tokens(
      byte[] secret, String issuer, String audience, String userIdClaim, int skewSeconds) {
    this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
    this.issuer = issuer;
    this.audience = audience;
    this.userIdClaim = userIdClaim;
    this.skewMillis = skewSeconds * 1000L;
    newMac(); // fails now, not on the first token, if the JDK lacks HmacSHA256
  }

  /** The token's claims when it is a plain HS256 token that passes every check, else null. */
  Map<String, Object> check(String token) {
    int firstDot = token.indexOf('.');
    int lastDot = token.lastIndexOf('.');
    if (firstDot <= 0 || lastDot == firstDot || token.indexOf('.', firstDot + 1) != lastDot) {
      return null;
    }
    if (!PLAIN_HEADERS.contains(token.substring(0, firstDot))) {
      return null;
    }
    byte[] signature;
    byte[] payload;
    try {
      signature = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
      payload = Base64.getUrlDecoder().decode(token.substring(firstDot + 1, lastDot));
    } catch (IllegalArgumentException notBase64Url) {
      return null;
    }
    Mac mac = macs.get();
    byte[] expected = mac.doFinal(token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII));
    if (!MessageDigest.isEqual(expected, signature)) {
      return null;
    }
    Map<String, Object> claims = claims(payload);
    return claims != null && valid(claims) ? claims : null;
  }

  private boolean valid(Map<String, Object> claims) {
    if (!(claims.get("exp") instanceof Date exp) || claims.get(userIdClaim) == null) {
      return false;
    }
    long now = System.currentTimeMillis();
    if (exp.getTime() + skewMillis <= now) {
      return false;
    }
    Object nbf = claims.get("nbf");
    if (nbf != null && ((Date) nbf).getTime() - skewMillis >= now) {
      return false;
    }
    if (issuer != null && !issuer.equals(claims.get("iss"))) {
      return false;
    }
    if (audience != null) {
      Object aud = claims.get("aud");
      return aud instanceof List<?> list && list.contains(audience);
    }
    return true;
  }

  /** The claims as Nimbus's {@code JWTClaimsSet} holds them, or null when they are not plain. */
  private static Map<String, Object> claims(byte[] payload) {
    // Nimbus reads the claims as UTF-8 text; Jackson would also detect UTF-16 and UTF-32 from the
    // first bytes. A '{' followed by a byte other than zero is UTF-8 to both.
    if (payload.length < 2 || payload[0] != '{' || payload[1] == 0) {
      return null;
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        Object value;
        switch (p.nextToken()) {
          case VALUE_STRING -> value = p.getText();
          case VALUE_NUMBER_INT -> {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              return null;
            }
            value = p.getLongValue();
          }
          case VALUE_TRUE -> value = Boolean.TRUE;
          case VALUE_FALSE -> value = Boolean.FALSE;
          case START_ARRAY -> {
            value = "aud".equals(name) ? strings(p) : null;
            if (value == null) {
              return null;
            }
          }
          default -> {
            return null; // null, a number with a fraction, an object: Nimbus decides
          }
        }
        Object registered = registered(name, value);
        if (registered == null) {
          return null;
        }
        claims.put(name, registered);
      }
      if (p.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException notPlainJson) {
      return null;
    }
    return claims;
  }

  /** A registered claim as Nimbus types it (null: not of its type, Nimbus decides). */
  private static Object registered(String name, Object value) {
    return switch (name) {
      case "exp", "nbf", "iat" -> value instanceof Long seconds ? new Date(seconds * 1000L) : null;
      case "iss", "sub", "jti" -> value instanceof String ? value : null;
      case "aud" -> value instanceof String s ? List.of(s) : value instanceof List ? value : null;
      default -> value;
    };
  }

  /** The rest of an array of strings, or null when an element is not a string. */
  private static List<String> strings(JsonParser p) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_STRING) {
        return null;
      }
      out.add(p.getText());
    }
    return List.copyOf(out);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
    }
  }

  private static String encode(String json) {
    return URL_ENCODER.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
