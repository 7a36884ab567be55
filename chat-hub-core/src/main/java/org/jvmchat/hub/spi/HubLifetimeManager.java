package org.jvmchat.hub.spi;

import java.lang.reflect.Type;
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
