package org.jvmchat.hub.internal.lifetime;

import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.hub.spi.UserGroupStore;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;

/**
 * The in-process lifetime manager: every connection is in this process, in a {@link
 * HubConnectionStore}. A send builds the invocation once and serializes it at most once per
 * protocol, whatever the number of receivers. User group memberships live in an {@link
 * InMemoryUserGroupStore} of its own.
 */
public final class DefaultHubLifetimeManager implements HubLifetimeManager {
  private final HubConnectionStore store;
  private final ClientResults clientResults;
  private final String hubName;
  private final UserGroupStore userGroupStore;
  private final LocalUserGroups userGroups;
  private final Clock clock = Clock.systemUTC();

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
    this.hubName = hubName;
    this.store = new HubConnectionStore(hubName);
    this.clientResults = new ClientResults(scheduler, completions);
    this.userGroupStore = new InMemoryUserGroupStore(clock);
    this.userGroups =
        new LocalUserGroups(
            hubName,
            store,
            userGroupStore,
            scheduler,
            new LocalUserGroups.Membership() {
              @Override
              public CompletableFuture<Void> join(HubConnectionContext c, String group) {
                store.addToGroup(c, group);
                return done();
              }

              @Override
              public CompletableFuture<Void> leave(HubConnectionContext c, String group) {
                store.removeFromGroup(c, group);
                return done();
              }
            },
            clock);
  }

  @Override
  public CompletableFuture<Void> onConnected(HubConnectionContext connection) {
    store.add(connection);
    return userGroups.connected(connection);
  }

  @Override
  public CompletableFuture<Void> onDisconnected(HubConnectionContext connection) {
    store.remove(connection);
    userGroups.disconnected(connection);
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
  public CompletableFuture<Void> removeFromAllGroups(String connectionId) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      for (String group : store.groupsOf(connectionId)) {
        store.removeFromGroup(c, group);
      }
    }
    return done();
  }

  // ---------------------------------------------------------------- user groups

  @Override
  public CompletableFuture<Void> addUserToGroup(String userId, String groupName, Duration ttl) {
    if (ttl != null && ttl.isNegative()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("The time to live must not be negative: " + ttl));
    }
    if (ttl != null && ttl.isZero()) {
      return userGroups.join(userId, groupName, null);
    }
    Instant expires = clock.instant().plus(ttl == null ? UserGroupStore.LONGEST_MEMBERSHIP : ttl);
    return userGroupStore
        .add(hubName, userId, groupName, ttl)
        .thenCompose(v -> userGroups.join(userId, groupName, expires));
  }

  @Override
  public CompletableFuture<Void> removeUserFromGroup(String userId, String groupName) {
    return userGroupStore
        .remove(hubName, userId, groupName)
        .thenCompose(v -> userGroups.leave(userId, groupName));
  }

  @Override
  public CompletableFuture<Void> removeUserFromAllGroups(String userId) {
    return userGroupStore.removeAll(hubName, userId).thenCompose(v -> userGroups.leaveAll(userId));
  }

  @Override
  public CompletableFuture<Boolean> isUserInGroup(String userId, String groupName) {
    return userGroupStore.groups(hubName, userId).thenApply(g -> g.containsKey(groupName));
  }

  // ---------------------------------------------------------------- closing, existence

  @Override
  public CompletableFuture<Boolean> closeConnection(String connectionId, String reason) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      c.close(reason, false);
    }
    return CompletableFuture.completedFuture(c != null);
  }

  @Override
  public CompletableFuture<Void> closeAll(Collection<String> excluded, String reason) {
    HubConnectionStore.close(store.connections(), excluded, reason);
    return done();
  }

  @Override
  public CompletableFuture<Void> closeGroup(
      String groupName, Collection<String> excluded, String reason) {
    HubConnectionStore.close(store.members(groupName), excluded, reason);
    return done();
  }

  @Override
  public CompletableFuture<Void> closeUser(
      String userId, Collection<String> excluded, String reason) {
    HubConnectionStore.close(store.connectionsOf(userId), excluded, reason);
    return done();
  }

  @Override
  public CompletableFuture<Boolean> connectionExists(String connectionId) {
    return CompletableFuture.completedFuture(store.get(connectionId) != null);
  }

  @Override
  public CompletableFuture<Boolean> userExists(String userId) {
    return CompletableFuture.completedFuture(store.hasUser(userId));
  }

  @Override
  public CompletableFuture<Boolean> groupExists(String groupName) {
    return CompletableFuture.completedFuture(store.hasMembers(groupName));
  }

  @Override
  public void close() {
    userGroups.close();
  }

  // ---------------------------------------------------------------- client results

  @Override
  public <T> CompletableFuture<T> invokeConnection(
      String connectionId, String method, Object[] args, Type resultType, Duration timeout) {
    HubConnectionContext c = store.get(connectionId);
    if (c == null) {
      return CompletableFuture.failedFuture(
          new HubException("Connection '" + connectionId + "' does not exist."));
    }
    return clientResults.invoke(connectionId, c, method, args, resultType, timeout);
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
