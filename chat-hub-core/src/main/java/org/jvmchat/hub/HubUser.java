package org.jvmchat.hub;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

/**
 * An authenticated user: the id that addresses all of the user's connections ({@code
 * Clients.user(id)}), a display name, and the claims of the credential.
 */
public record HubUser(String id, String name, Map<String, Object> claims) {
  public HubUser {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("A user id must not be empty");
    }
    claims = claims == null ? Map.of() : Map.copyOf(claims);
  }

  public static HubUser of(String id, String name) {
    return new HubUser(id, name, Map.of());
  }

  /**
   * When the credential expires: the {@code exp} claim (a {@link Date}, an {@link Instant} or
   * seconds since the epoch as a number), or empty when it has none. With {@code
   * HubOptions.closeOnAuthenticationExpiration} a connection is closed at that instant.
   */
  public Optional<Instant> expiration() {
    Object exp = claims.get("exp");
    if (exp instanceof Date d) {
      return Optional.of(d.toInstant());
    }
    if (exp instanceof Instant i) {
      return Optional.of(i);
    }
    if (exp instanceof Number n) {
      return Optional.of(Instant.ofEpochSecond(n.longValue()));
    }
    return Optional.empty();
  }
}
