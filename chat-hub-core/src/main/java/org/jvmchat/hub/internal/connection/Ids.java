package org.jvmchat.hub.internal.connection;

import java.security.SecureRandom;
import java.util.Base64;

/** Connection ids and tokens: 16 random bytes, base64url without padding (22 URL-safe chars). */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Ids() {}

  public static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}
