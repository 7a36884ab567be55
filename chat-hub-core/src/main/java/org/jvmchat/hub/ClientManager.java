package org.jvmchat.hub;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Closing connections and asking whether connections, users and groups exist, across every server
 * instance of the hub (the client manager of Azure SignalR's management SDK). Each future fails
 * with {@link UnsupportedOperationException} when the hub's lifetime manager cannot do it.
 */
public interface ClientManager {
  /**
   * Closes the connection wherever it is held; the client gets a Close message carrying {@code
   * reason} (may be null) and does not reconnect. Completes with whether some instance held it.
   */
  CompletableFuture<Boolean> closeConnection(String connectionId, String reason);

  /** Closes every connection of the hub except the {@code excluded} ones. */
  CompletableFuture<Void> closeConnections(Collection<String> excluded, String reason);

  /** Closes every member of {@code groupName} except the {@code excluded} ones. */
  CompletableFuture<Void> closeGroupConnections(
      String groupName, Collection<String> excluded, String reason);

  /** Closes every connection of {@code userId} except the {@code excluded} ones. */
  CompletableFuture<Void> closeUserConnections(
      String userId, Collection<String> excluded, String reason);

  CompletableFuture<Boolean> connectionExists(String connectionId);

  /** Whether the user has at least one open connection on some instance. */
  CompletableFuture<Boolean> userExists(String userId);

  /** Whether the group has at least one member connection on some instance. */
  CompletableFuture<Boolean> groupExists(String groupName);
}
