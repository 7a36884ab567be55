package org.jvmchat.hub.spi;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.protocol.CompletionMessage;

/**
 * Who receives a message, separate from how it gets there: the plug-in point for backplanes. The
 * default keeps everything in this process; a scale-out manager reaches connections held by other
 * instances. Every method is non-blocking. Implementations must pass the contract test suite
 * ({@code org.jvmchat.testing.HubLifetimeManagerContract} in the test-scoped module
 * chat-test-support).
 */
public interface HubLifetimeManager extends AutoCloseable {
  CompletableFuture<Void> onConnected(HubConnectionContext connection);

  CompletableFuture<Void> onDisconnected(HubConnectionContext connection);

  CompletableFuture<Void> sendAll(String method, Object[] args, Collection<String> excluded);

  CompletableFuture<Void> sendConnection(String connectionId, String method, Object[] args);

  CompletableFuture<Void> sendConnections(
      Collection<String> connectionIds, String method, Object[] args);

  CompletableFuture<Void> sendGroup(
      String groupName, String method, Object[] args, Collection<String> excluded);

  CompletableFuture<Void> sendGroups(Collection<String> groupNames, String method, Object[] args);

  CompletableFuture<Void> sendUser(String userId, String method, Object[] args);

  CompletableFuture<Void> sendUsers(Collection<String> userIds, String method, Object[] args);

  CompletableFuture<Void> addToGroup(String connectionId, String groupName);

  CompletableFuture<Void> removeFromGroup(String connectionId, String groupName);

  // ---------------------------------------------------------------- the cluster-wide view
  //
  // What Azure SignalR Service's REST API offers beyond sends: user group membership, closing
  // connections, existence checks, each true across every instance. A manager that cannot offer one
  // fails the future with UnsupportedOperationException (the defaults); the in-process and the
  // scale-out managers offer them all, and the contract suite checks them.

  /** Removes a connection from every group it is in, wherever it is held. */
  default CompletableFuture<Void> removeFromAllGroups(String connectionId) {
    return unsupported("removeFromAllGroups");
  }

  /**
   * Puts {@code userId} in {@code groupName} on every connection it has, on every instance, and on
   * those it opens later: for {@code ttl} when positive, without a time to live when {@code null}
   * (the limits of {@link UserGroupStore}), and for its current connections only when zero.
   * Completes once every instance holding a connection of the user has applied it.
   */
  default CompletableFuture<Void> addUserToGroup(String userId, String groupName, Duration ttl) {
    return unsupported("addUserToGroup");
  }

  /** Takes {@code userId} out of {@code groupName}: its stored membership and every connection. */
  default CompletableFuture<Void> removeUserFromGroup(String userId, String groupName) {
    return unsupported("removeUserFromGroup");
  }

  /** Takes {@code userId} out of every group: stored memberships and every connection's groups. */
  default CompletableFuture<Void> removeUserFromAllGroups(String userId) {
    return unsupported("removeUserFromAllGroups");
  }

  /** Whether {@code userId} has an unexpired membership of {@code groupName}. */
  default CompletableFuture<Boolean> isUserInGroup(String userId, String groupName) {
    return unsupported("isUserInGroup");
  }

  /**
   * Closes a connection wherever it is held, with a Close message carrying {@code reason} (may be
   * null) and no reconnect. Completes with whether some instance held it.
   */
  default CompletableFuture<Boolean> closeConnection(String connectionId, String reason) {
    return unsupported("closeConnection");
  }

  /** Closes every connection of the hub on every instance except the {@code excluded} ones. */
  default CompletableFuture<Void> closeAll(Collection<String> excluded, String reason) {
    return unsupported("closeAll");
  }

  /** Closes every member of {@code groupName} on every instance except the {@code excluded}. */
  default CompletableFuture<Void> closeGroup(
      String groupName, Collection<String> excluded, String reason) {
    return unsupported("closeGroup");
  }

  /** Closes every connection of {@code userId} on every instance except the {@code excluded}. */
  default CompletableFuture<Void> closeUser(
      String userId, Collection<String> excluded, String reason) {
    return unsupported("closeUser");
  }

  /** Whether some instance holds a connection with this id. */
  default CompletableFuture<Boolean> connectionExists(String connectionId) {
    return unsupported("connectionExists");
  }

  /** Whether some instance holds a connection of this user. */
  default CompletableFuture<Boolean> userExists(String userId) {
    return unsupported("userExists");
  }

  /** Whether some instance holds a connection that is a member of this group. */
  default CompletableFuture<Boolean> groupExists(String groupName) {
    return unsupported("groupExists");
  }

  private <T> CompletableFuture<T> unsupported(String operation) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(
            getClass().getSimpleName() + " does not support " + operation));
  }

  /**
   * Invokes a method on one client and completes with its result bound to {@code resultType}, or
   * exceptionally ({@link org.jvmchat.protocol.HubException}) on a client error, disconnect,
   * unknown connection, or when {@code timeout} passes.
   */
  <T> CompletableFuture<T> invokeConnection(
      String connectionId,
      String method,
      Object[] args,
      Type resultType,
      java.time.Duration timeout);

  /** A client's Completion for a server-to-client invocation arrived on {@code connectionId}. */
  void setConnectionResult(String connectionId, CompletionMessage result);

  /** The result type awaited for {@code invocationId} on that connection, or {@code null}. */
  Type resultType(String connectionId, String invocationId);

  /**
   * Called once when the server starts, with the acceptor through which a connection source (see
   * {@link HubConnectionAcceptor}) opens hub connections; managers that are no connection source
   * ignore it.
   */
  default void start(HubConnectionAcceptor acceptor) {}

  /**
   * When non-null, negotiate answers this redirect instead of creating a connection here (the
   * client then connects where the redirect points). Called off the event loop for every negotiate;
   * {@code user} is null for an anonymous caller. Default null.
   */
  default NegotiateRedirect negotiateRedirect(org.jvmchat.hub.HubUser user) {
    return null;
  }

  /**
   * The server begins a graceful stop, before it closes its connections: a connection source tells
   * its peer to send no new clients here. Must not block for long. Default nothing.
   */
  default void beginShutdown() {}

  /** Whether the manager can currently reach every instance (a backplane's health). */
  default boolean isHealthy() {
    return true;
  }

  @Override
  default void close() {}
}
