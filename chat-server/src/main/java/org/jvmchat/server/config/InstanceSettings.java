package org.jvmchat.server.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How this instance works with the others behind one load balancer (see {@code docs/DEPLOYING.md}):
 * the key of the signed connection tokens ({@code CONNECTION_TOKEN_SECRET}), the URL at which the
 * other instances reach this one ({@code CHAT_INSTANCE_URL}) and the name sent in the {@code
 * X-Chat-Instance} response header ({@code CHAT_INSTANCE_ID}). Immutable and validated.
 */
public final class InstanceSettings {
  public static final int MIN_CONNECTION_TOKEN_SECRET_BYTES = 32;
  private static final byte[] DERIVATION_LABEL =
      "jvmchat connection tokens v1".getBytes(StandardCharsets.UTF_8);
  private static final InstanceSettings DEFAULTS = new InstanceSettings(null, null, null);

  private final byte[] connectionTokenSecret;
  private final String url;
  private final String id;

  private InstanceSettings(byte[] connectionTokenSecret, String url, String id) {
    this.connectionTokenSecret = connectionTokenSecret;
    this.url = url;
    this.id = id;
  }

  /** No secret of its own (derived from {@code JWT_SECRET}), no URL, a random id per start. */
  public static InstanceSettings defaults() {
    return DEFAULTS;
  }

  /**
   * Validated settings; null or blank values mean the default.
   *
   * @throws SettingsException with one readable line naming the variable
   */
  public static InstanceSettings of(String connectionTokenSecret, String url, String id) {
    byte[] secret = null;
    if (connectionTokenSecret != null && !connectionTokenSecret.isEmpty()) {
      secret = connectionTokenSecret.getBytes(StandardCharsets.UTF_8);
      if (secret.length < MIN_CONNECTION_TOKEN_SECRET_BYTES) {
        throw new SettingsException(
            "CONNECTION_TOKEN_SECRET must be at least "
                + MIN_CONNECTION_TOKEN_SECRET_BYTES
                + " bytes long (was "
                + secret.length
                + ")");
      }
    }
    String u = url == null || url.isBlank() ? null : url.strip();
    if (u != null) {
      URI parsed;
      try {
        parsed = URI.create(u);
      } catch (IllegalArgumentException e) {
        parsed = null;
      }
      if (parsed == null
          || !("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme()))
          || parsed.getHost() == null
          || parsed.getRawQuery() != null
          || !(parsed.getRawPath() == null
              || parsed.getRawPath().isEmpty()
              || parsed.getRawPath().equals("/"))) {
        throw new SettingsException(
            "CHAT_INSTANCE_URL must look like http://host:port, without a path (was " + u + ")");
      }
      u = u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }
    String i = id == null || id.isBlank() ? null : id.strip();
    if (i != null && (i.length() > 253 || !i.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      throw new SettingsException(
          "CHAT_INSTANCE_ID must be 1..253 visible ASCII characters without spaces");
    }
    if (secret == null && u == null && i == null) {
      return DEFAULTS;
    }
    return new InstanceSettings(secret, u, i);
  }

  /** Whether {@code CONNECTION_TOKEN_SECRET} was set (else the key is derived, if it can be). */
  public boolean connectionTokenSecretSet() {
    return connectionTokenSecret != null;
  }

  /**
   * The key of signed connection tokens: {@code CONNECTION_TOKEN_SECRET} when set; else derived
   * from the JWT key when that was configured (HMAC-SHA256 of a fixed label with it, so that every
   * instance sharing {@code JWT_SECRET} accepts the others' connection tokens and the JWT key
   * itself is never used for two purposes); else null (a generated JWT key: connection tokens stay
   * random and valid on this instance only).
   */
  public byte[] connectionTokenKey(byte[] jwtSecret, boolean jwtSecretGenerated) {
    if (connectionTokenSecret != null) {
      return connectionTokenSecret.clone();
    }
    if (jwtSecret == null || jwtSecretGenerated) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(jwtSecret, "HmacSHA256"));
      return mac.doFinal(DERIVATION_LABEL);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * The base URL at which the other instances reach this one ({@code http://10.0.0.7:8080}; port 0
   * stands for the bound port), or null: then SSE and long-polling requests that reach another
   * instance are answered 404 instead of being forwarded here.
   */
  public String url() {
    return url;
  }

  /**
   * The value of the {@code X-Chat-Instance} header, or null for a random id made at start (never
   * the host name: the header is sent to everyone).
   */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return "{connectionTokenSecret="
        + (connectionTokenSecret == null ? "derived" : "set")
        + ", url="
        + url
        + ", id="
        + id
        + "}";
  }
}
