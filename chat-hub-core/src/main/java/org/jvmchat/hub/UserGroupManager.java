package org.jvmchat.hub;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Group membership of users rather than connections (Azure SignalR Service's user groups): a user
 * in a group is in it on each of its connections, on every instance, including connections it opens
 * later. Memberships are kept by the lifetime manager's {@link org.jvmchat.hub.spi.UserGroupStore}
 * (shared between instances). Each future fails with {@link UnsupportedOperationException} when the
 * hub's lifetime manager cannot do it.
 */
public interface UserGroupManager {
  /** Adds the user without a time to live (a year at most; the latest 100 such groups kept). */
  default CompletableFuture<Void> addToGroup(String userId, String groupName) {
    return addToGroup(userId, groupName, null);
  }

  /**
   * Adds the user for {@code ttl}; {@code null} means without a time to live, zero means its
   * current connections only (nothing is remembered for later ones).
   */
  CompletableFuture<Void> addToGroup(String userId, String groupName, Duration ttl);

  CompletableFuture<Void> removeFromGroup(String userId, String groupName);

  CompletableFuture<Void> removeFromAllGroups(String userId);

  /** Whether the user has an unexpired membership of the group. */
  CompletableFuture<Boolean> isUserInGroup(String userId, String groupName);
}
