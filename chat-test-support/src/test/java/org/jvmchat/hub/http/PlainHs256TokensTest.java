package org.jvmchat.hub.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubUser;

/**
 * The plain HS256 check ({@code PlainHs256Tokens}) accepts exactly the plain tokens Nimbus accepts,
 * with the same user and the same claims, and leaves every other token to Nimbus: for each token
 * here, {@link JwtBearerAuthenticator#validate} (plain check first) answers what the Nimbus-only
 * check answers — the same {@link HubUser}, or the same error.
 */
class PlainHs256TokensTest {
  private static final byte[] SECRET =
      "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OTHER_SECRET =
      "another-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.UTF_8);
  private static final String HEADER = "{\"alg\":\"HS256\"}";
  private static final String HEADER_TYP = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  private static final String HEADER_TYP_FIRST = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";

  private final JwtBearerAuthenticator plain =
      JwtBearerAuthenticator.builder().hmacSecret(SECRET).checkedTokenCache(0).build();
  private final JwtBearerAuthenticator strict =
      JwtBearerAuthenticator.builder()
          .hmacSecret(SECRET)
          .issuer("https://chat.example")
          .audience("chat-api")
          .clockSkew(Duration.ofSeconds(30))
          .checkedTokenCache(0)
          .build();

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  @Test
  void plainTokensAreAcceptedWithTheClaimsNimbusGives() throws Exception {
    long now = now();
    String basic =
        token(
            HEADER,
            "{\"sub\":\"u1\",\"name\":\"Ann\",\"iat\":" + now + ",\"exp\":" + (now + 300) + "}",
            SECRET);
    HubUser user = acceptedByBoth(plain, basic);
    assertThat(user.id()).isEqualTo("u1");
    assertThat(user.name()).isEqualTo("Ann");
    assertThat(user.claims().get("exp")).isEqualTo(new Date((now + 300) * 1000));
    assertThat(user.claims().get("iat")).isInstanceOf(Date.class);

    String withIssuerAndAudience =
        token(
            HEADER_TYP,
            "{\"sub\":\"u2\",\"iss\":\"https://chat.example\",\"aud\":\"chat-api\",\"exp\":"
                + (now + 300)
                + "}",
            SECRET);
    assertThat(acceptedByBoth(strict, withIssuerAndAudience).claims().get("aud"))
        .isEqualTo(List.of("chat-api"));

    String audienceListAndMore =
        token(
            HEADER_TYP_FIRST,
            "{\"sub\":\"u3\",\"iss\":\"https://chat.example\",\"aud\":[\"other\",\"chat-api\"],"
                + "\"nbf\":"
                + (now - 5)
                + ",\"exp\":"
                + (now + 300)
                + ",\"admin\":true,\"level\":42,\"preferred_username\":\"ann3\",\"jti\":\"j\"}",
            SECRET);
    HubUser third = acceptedByBoth(strict, audienceListAndMore);
    assertThat(third.name()).isEqualTo("ann3");
    assertThat(third.claims())
        .containsEntry("admin", true)
        .containsEntry("level", 42L)
        .containsEntry("aud", List.of("other", "chat-api"));

    // Expired 10 s ago, within the 30 s clock skew; valid from 10 s on, within it too.
    acceptedByBoth(
        strict,
        token(
            HEADER,
            "{\"sub\":\"u4\",\"iss\":\"https://chat.example\",\"aud\":\"chat-api\",\"exp\":"
                + (now - 10)
                + ",\"nbf\":"
                + (now + 10)
                + "}",
            SECRET));
  }

  @Test
  void tokensThatAreNotPlainAreLeftToNimbusWhichStillAcceptsThem() throws Exception {
    long exp = now() + 300;
    for (String token :
        List.of(
            token("{\"alg\": \"HS256\"}", "{\"sub\":\"u\",\"exp\":" + exp + "}", SECRET),
            token(HEADER, "{\"sub\":\"u\",\"exp\":" + exp + ",\"roles\":{\"a\":1}}", SECRET),
            token(HEADER, "{\"sub\":\"u\",\"exp\":" + exp + ",\"score\":1.5}", SECRET),
            token(HEADER, "{\"sub\":\"u\",\"exp\":" + exp + ",\"tags\":[\"a\"]}", SECRET),
            token(HEADER, "{\"sub\":\"u\",\"exp\":" + exp + ",\"gone\":null}", SECRET),
            token(HEADER, "{\"sub\":42,\"exp\":" + exp + "}", SECRET))) {
      assertThat(plain.checkPlainHs256(token)).as(token).isNull();
      assertThat(sameAsNimbus(plain, token)).as(token).isInstanceOf(HubUser.class);
    }
  }

  @Test
  void everyTokenNimbusRejectsIsRejectedWithTheSameError() throws Exception {
    long now = now();
    String good = "\"iss\":\"https://chat.example\",\"aud\":\"chat-api\"";
    List<String> rejected =
        List.of(
            token(HEADER, "{\"sub\":\"u\"," + good + ",\"exp\":" + (now + 300) + "}", OTHER_SECRET),
            token(HEADER, "{\"sub\":\"u\"," + good + ",\"exp\":" + (now - 60) + "}", SECRET),
            token(
                HEADER,
                "{\"sub\":\"u\","
                    + good
                    + ",\"exp\":"
                    + (now + 300)
                    + ",\"nbf\":"
                    + (now + 60)
                    + "}",
                SECRET),
            token(
                HEADER,
                "{\"sub\":\"u\",\"iss\":\"https://evil.example\",\"aud\":\"chat-api\",\"exp\":"
                    + (now + 300)
                    + "}",
                SECRET),
            token(
                HEADER,
                "{\"sub\":\"u\",\"iss\":\"https://chat.example\",\"exp\":" + (now + 300) + "}",
                SECRET),
            token(
                HEADER,
                "{\"sub\":\"u\",\"iss\":\"https://chat.example\",\"aud\":[\"other\"],\"exp\":"
                    + (now + 300)
                    + "}",
                SECRET),
            token(HEADER, "{\"sub\":\"u\"," + good + "}", SECRET),
            token(HEADER, "{" + good + ",\"exp\":" + (now + 300) + "}", SECRET),
            token(
                HEADER,
                "{\"sub\":\"a\",\"sub\":\"b\"," + good + ",\"exp\":" + (now + 300) + "}",
                SECRET),
            token(HEADER, "{\"sub\":\"u\"," + good + ",\"exp\":\"soon\"}", SECRET),
            token("{\"alg\":\"HS384\"}", "{\"sub\":\"u\"," + good + "}", SECRET),
            b64("{\"alg\":\"none\"}") + "." + b64("{\"sub\":\"u\"," + good + "}") + ".",
            "not-a-token",
            "a.b.c.d");
    for (String token : rejected) {
      assertThat(strict.checkPlainHs256(token)).as(token).isNull();
      assertThat(sameAsNimbus(strict, token)).as(token).isInstanceOf(String.class);
    }
    // An aud that is neither a string nor a list is not a JWT to Nimbus, also with no audience
    // required: the plain check must not accept it either.
    for (String aud : List.of("5", "true")) {
      String odd =
          token(HEADER, "{\"sub\":\"u\",\"aud\":" + aud + ",\"exp\":" + (now + 300) + "}", SECRET);
      assertThat(plain.checkPlainHs256(odd)).as(odd).isNull();
      assertThat(sameAsNimbus(plain, odd)).as(odd).isInstanceOf(String.class);
    }
    // An empty user id passes the claim checks (both ways) and is refused as no user id.
    String emptySub =
        token(HEADER, "{\"sub\":\"\"," + good + ",\"exp\":" + (now + 300) + "}", SECRET);
    assertThat(strict.checkPlainHs256(emptySub)).containsEntry("sub", "");
    assertThat(sameAsNimbus(strict, emptySub)).isEqualTo("The bearer token has no sub claim");
    // A payload changed after signing: the signature no longer matches.
    String signed =
        token(HEADER, "{\"sub\":\"u\"," + good + ",\"exp\":" + (now + 300) + "}", SECRET);
    String[] parts = signed.split("\\.");
    String forged =
        parts[0]
            + "."
            + b64("{\"sub\":\"admin\"," + good + ",\"exp\":" + (now + 300) + "}")
            + "."
            + parts[2];
    assertThat(strict.checkPlainHs256(forged)).isNull();
    assertThat(sameAsNimbus(strict, forged)).isInstanceOf(String.class);
  }

  /** Checks both ways and asserts they agree: the user both accepted, or the error both gave. */
  private static Object sameAsNimbus(JwtBearerAuthenticator auth, String token) throws Exception {
    Object viaPlain;
    Object viaNimbus;
    try {
      viaPlain = auth.validate(token);
    } catch (UnauthorizedException e) {
      viaPlain = e.getMessage();
    }
    try {
      viaNimbus = auth.checkWithNimbus(token, false);
    } catch (UnauthorizedException e) {
      viaNimbus = e.getMessage();
    }
    assertThat(viaPlain).as(token).isEqualTo(viaNimbus);
    return viaPlain;
  }

  private static HubUser acceptedByBoth(JwtBearerAuthenticator auth, String token)
      throws Exception {
    Map<String, Object> claims = auth.checkPlainHs256(token);
    assertThat(claims).as("the plain check accepts " + token).isNotNull();
    Object user = sameAsNimbus(auth, token);
    assertThat(user).isInstanceOf(HubUser.class);
    return (HubUser) user;
  }

  private static String token(String header, String claims, byte[] secret) throws Exception {
    String input = b64(header) + "." + b64(claims);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    byte[] signature = mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
