package org.jvmchat.hub;

import java.util.concurrent.CompletableFuture;

/**
 * Group membership. Completes once the change is in effect everywhere (with a backplane: once the
 * instance holding the connection has acknowledged it). Group names are case-sensitive.
 */
public interface GroupManager {
  CompletableFuture<Void> addToGroup(String connectionId, String groupName);

  CompletableFuture<Void> removeFromGroup(String connectionId, String groupName);

  /**
   * Removes the connection from every group it is in. Fails with {@link
   * UnsupportedOperationException} when the hub's lifetime manager cannot do it.
   */
  CompletableFuture<Void> removeFromAllGroups(String connectionId);
}
