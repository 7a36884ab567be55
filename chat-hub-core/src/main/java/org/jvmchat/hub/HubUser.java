package org.jvmchat.hub;

import java.util.Map;

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
}
