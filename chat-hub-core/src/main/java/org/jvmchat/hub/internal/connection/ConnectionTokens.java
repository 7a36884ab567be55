package org.jvmchat.hub.internal.connection;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Connection tokens that any instance sharing the key can verify, so that a transport request
 * landing on another instance than the one that answered negotiate can be served there (a WebSocket
 * is adopted) or forwarded to the owner (SSE and long polling).
 *
 * <p>A signed token is {@code base64url(payload) "." base64url(HMAC-SHA256(key, hubPath, payload))}
 * where the payload holds: a version, flags (stateful reconnect negotiated, user present, owner URL
 * present), the expiry of adoption (negotiate time + the hub's disconnect timeout, epoch
 * milliseconds), the issuing instance (8 random bytes per process), the connection id, the user id
 * and the owner's base URL. The MAC covers the hub path, so a token of one hub is worthless on
 * another.
 *
 * <p>Without a key ({@link #unsigned()}) tokens are 22 random characters, valid only in the memory
 * of the instance that issued them: the behaviour of a single server.
 */
public final class ConnectionTokens {
  private static final byte VERSION = 1;
  private static final int FLAG_STATEFUL = 1;
  private static final int FLAG_USER = 2;
  private static final int FLAG_OWNER = 4;
  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** Longer strings are never parsed (a query parameter of any length may arrive). */
  private static final int MAX_TOKEN_LENGTH = 2048;

  private final byte[] key;
  private volatile String ownerUrl;
  private final byte[] instance = new byte[8];
  private final Clock clock;

  /** Tokens adopted here, until their adoption expires: each may be adopted once per instance. */
  private final Map<String, Long> adopted = new ConcurrentHashMap<>();

  private ConnectionTokens(byte[] key, String ownerUrl, Clock clock) {
    this.key = key == null ? null : key.clone();
    this.ownerUrl = ownerUrl;
    this.clock = clock;
    new SecureRandom().nextBytes(instance);
  }

  /** Opaque random tokens, valid on this instance only. */
  public static ConnectionTokens unsigned() {
    return new ConnectionTokens(null, null, Clock.systemUTC());
  }

  /**
   * Signed tokens.
   *
   * @param key the HMAC-SHA256 key, shared by every instance that must accept the tokens
   * @param ownerUrl the base URL other instances reach this one at ({@code http://10.0.0.7:8080}),
   *     or null when requests for this instance's connections must not be forwarded
   */
  public static ConnectionTokens signed(byte[] key, String ownerUrl, Clock clock) {
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("A connection token key must not be empty");
    }
    return new ConnectionTokens(key, ownerUrl, clock);
  }

  public boolean isSigned() {
    return key != null;
  }

  /**
   * Once the port is bound: an owner URL with port 0 ({@code http://10.0.0.7:0}) stands for the
   * bound port.
   */
  public void bound(int port) {
    String url = ownerUrl;
    if (url == null) {
      return;
    }
    java.net.URI u = java.net.URI.create(url);
    if (u.getPort() == 0) {
      ownerUrl = u.getScheme() + "://" + u.getRawAuthority().replaceFirst(":0$", ":" + port);
    }
  }

  /** The base URL of this instance put into its tokens, or null. */
  public String ownerUrl() {
    return ownerUrl;
  }

  /** What a verified token says. */
  public record Claims(
      String connectionId,
      String userId,
      boolean stateful,
      long expiresAtMillis,
      boolean issuedHere,
      String ownerUrl) {}

  /** A new token for a negotiated connection (the connection id itself is made by the caller). */
  public String issue(
      String hubPath, String connectionId, String userId, boolean stateful, long lifetimeMillis) {
    if (key == null) {
      return Ids.newId();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      int flags =
          (stateful ? FLAG_STATEFUL : 0)
              | (userId != null ? FLAG_USER : 0)
              | (ownerUrl != null ? FLAG_OWNER : 0);
      out.writeByte(VERSION);
      out.writeByte(flags);
      out.writeLong(clock.millis() + lifetimeMillis);
      out.write(instance);
      out.writeUTF(connectionId);
      if (userId != null) {
        out.writeUTF(userId);
      }
      if (ownerUrl != null) {
        out.writeUTF(ownerUrl);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
    }
    byte[] payload = bytes.toByteArray();
    return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(hubPath, payload));
  }

  /**
   * The claims of a token this key signed for {@code hubPath}, or null (unsigned tokens, a wrong
   * signature, garbage). Expiry is not checked here: see {@link #adoptable}.
   */
  public Claims verify(String hubPath, String token) {
    if (key == null || token == null || token.length() > MAX_TOKEN_LENGTH) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return null;
    }
    byte[] payload;
    byte[] signature;
    try {
      payload = DECODER.decode(token.substring(0, dot));
      signature = DECODER.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!MessageDigest.isEqual(signature, mac(hubPath, payload))) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
      if (in.readByte() != VERSION) {
        return null;
      }
      int flags = in.readByte();
      long expires = in.readLong();
      byte[] issuer = new byte[instance.length];
      in.readFully(issuer);
      String id = in.readUTF();
      String user = (flags & FLAG_USER) != 0 ? in.readUTF() : null;
      String owner = (flags & FLAG_OWNER) != 0 ? in.readUTF() : null;
      return new Claims(
          id,
          user,
          (flags & FLAG_STATEFUL) != 0,
          expires,
          MessageDigest.isEqual(issuer, instance),
          owner);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * True when a connection for these claims may be created on this instance now: the token was
   * issued by another instance, its adoption window has not expired, and this instance did not
   * adopt it before. Marks the token as adopted (atomically: of two concurrent callers one wins).
   */
  public boolean adoptable(String token, Claims claims) {
    long now = clock.millis();
    if (claims.issuedHere() || now > claims.expiresAtMillis()) {
      return false;
    }
    return adopted.putIfAbsent(token, claims.expiresAtMillis()) == null;
  }

  /** Forgets adopted tokens whose window has passed (called by the heartbeat). */
  public void purge() {
    if (adopted.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (Iterator<Long> it = adopted.values().iterator(); it.hasNext(); ) {
      if (now > it.next()) {
        it.remove();
      }
    }
  }

  private byte[] mac(String hubPath, byte[] payload) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      mac.update(hubPath.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return mac.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
