package org.jvmchat.hub.internal;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;

/**
 * The in-process lifetime manager: every connection is in this process, in a {@link
 * HubConnectionStore}. A send builds the invocation once and serializes it at most once per
 * protocol, whatever the number of receivers.
 */
public final class DefaultHubLifetimeManager implements HubLifetimeManager {
  private final HubConnectionStore store;
  private final ClientResults clientResults;

  /** The server's default for a hub without a lifetime-manager factory. */
  public DefaultHubLifetimeManager(HubLifetimeManagerFactory.Context context) {
    this(context.hubName(), context.scheduler(), context.executor());
  }

  /**
   * @param scheduler for client-result timeouts
   * @param completions where client results complete (never the I/O thread)
   */
  public DefaultHubLifetimeManager(
      String hubName, ScheduledExecutorService scheduler, Executor completions) {
    this.store = new HubConnectionStore(hubName);
    this.clientResults = new ClientResults(scheduler, completions);
  }

  @Override
  public CompletableFuture<Void> onConnected(HubConnectionContext connection) {
    store.add(connection);
    return done();
  }

  @Override
  public CompletableFuture<Void> onDisconnected(HubConnectionContext connection) {
    store.remove(connection);
    clientResults.connectionClosed(connection.connectionId());
    return done();
  }

  private static SerializedHubMessage invocation(String method, Object[] args) {
    return new SerializedHubMessage(InvocationMessage.send(method, args));
  }

  @Override
  public CompletableFuture<Void> sendAll(
      String method, Object[] args, Collection<String> excluded) {
    store.sendAll(invocation(method, args), excluded);
    return done();
  }

  @Override
  public CompletableFuture<Void> sendConnection(String connectionId, String method, Object[] args) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      c.write(invocation(method, args));
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> sendConnections(
      Collection<String> connectionIds, String method, Object[] args) {
    store.sendConnections(connectionIds, invocation(method, args));
    return done();
  }

  @Override
  public CompletableFuture<Void> sendGroup(
      String groupName, String method, Object[] args, Collection<String> excluded) {
    store.sendGroup(groupName, invocation(method, args), excluded);
    return done();
  }

  @Override
  public CompletableFuture<Void> sendGroups(
      Collection<String> groupNames, String method, Object[] args) {
    store.sendGroups(groupNames, invocation(method, args), null);
    return done();
  }

  @Override
  public CompletableFuture<Void> sendUser(String userId, String method, Object[] args) {
    store.sendUser(userId, invocation(method, args));
    return done();
  }

  @Override
  public CompletableFuture<Void> sendUsers(
      Collection<String> userIds, String method, Object[] args) {
    store.sendUsers(userIds, invocation(method, args));
    return done();
  }

  @Override
  public CompletableFuture<Void> addToGroup(String connectionId, String groupName) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      store.addToGroup(c, groupName);
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> removeFromGroup(String connectionId, String groupName) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      store.removeFromGroup(c, groupName);
    }
    return done();
  }

  @Override
  public <T> CompletableFuture<T> invokeConnection(
      String connectionId, String method, Object[] args, Type resultType, Duration timeout) {
    HubConnectionContext c = store.get(connectionId);
    if (c == null) {
      return CompletableFuture.failedFuture(
          new HubException("Connection '" + connectionId + "' does not exist."));
    }
    String invocationId = clientResults.nextId();
    CompletableFuture<T> result =
        clientResults.register(connectionId, invocationId, resultType, timeout);
    InvocationMessage invocation =
        new InvocationMessage(null, invocationId, method, Arrays.asList(args), null);
    if (!c.write(invocation)) {
      clientResults.connectionClosed(connectionId);
    }
    return result;
  }

  @Override
  public void setConnectionResult(String connectionId, CompletionMessage result) {
    clientResults.complete(connectionId, result);
  }

  @Override
  public Type resultType(String connectionId, String invocationId) {
    return clientResults.type(connectionId, invocationId);
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}
