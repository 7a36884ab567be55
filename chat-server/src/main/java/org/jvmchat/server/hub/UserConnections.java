package org.jvmchat.server.hub;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections of each user on this instance, so that joining or leaving a room on one device
 * applies at once to the user's other devices connected here. (Connections on other instances
 * behind a backplane pick the change up from the store on their next connection.)
 *
 * <p>Each user's ids are an immutable set, replaced on change inside the map's atomic {@code
 * compute}: a user with one connection costs the map entry and a one-element set (tens of bytes),
 * not a concurrent set of its own, and {@link #of} hands the set out as it is, without a copy.
 */
public final class UserConnections {
  private final Map<String, Set<String>> byUser = new ConcurrentHashMap<>();

  public void add(String userId, String connectionId) {
    byUser.compute(
        userId, (u, set) -> set == null ? Set.of(connectionId) : with(set, connectionId));
  }

  public void remove(String userId, String connectionId) {
    byUser.computeIfPresent(userId, (u, set) -> without(set, connectionId));
  }

  /** A snapshot of the user's connection ids here. */
  public Set<String> of(String userId) {
    Set<String> set = byUser.get(userId);
    return set == null ? Set.of() : set;
  }

  private static Set<String> with(Set<String> set, String id) {
    if (set.contains(id)) {
      return set;
    }
    Set<String> grown = new HashSet<>(set);
    grown.add(id);
    return Set.copyOf(grown);
  }

  /** The set without {@code id}; null (the user's entry goes) when nothing is left. */
  private static Set<String> without(Set<String> set, String id) {
    if (!set.contains(id)) {
      return set;
    }
    if (set.size() == 1) {
      return null;
    }
    Set<String> shrunk = new HashSet<>(set);
    shrunk.remove(id);
    return Set.copyOf(shrunk);
  }
}
