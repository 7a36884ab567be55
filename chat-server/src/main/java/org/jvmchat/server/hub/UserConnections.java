package org.jvmchat.server.hub;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections of each user on this instance, so that joining or leaving a room on one device
 * applies at once to the user's other devices connected here. (Connections on other instances
 * behind a backplane pick the change up from the store on their next connection.)
 */
public final class UserConnections {
  private final Map<String, Set<String>> byUser = new ConcurrentHashMap<>();

  public void add(String userId, String connectionId) {
    byUser.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet(2)).add(connectionId);
  }

  public void remove(String userId, String connectionId) {
    byUser.computeIfPresent(
        userId,
        (u, set) -> {
          set.remove(connectionId);
          return set.isEmpty() ? null : set;
        });
  }

  /** A snapshot of the user's connection ids here. */
  public Set<String> of(String userId) {
    Set<String> set = byUser.get(userId);
    return set == null ? Set.of() : Set.copyOf(set);
  }
}
