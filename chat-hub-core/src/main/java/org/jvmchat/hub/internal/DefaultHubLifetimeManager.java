package org.jvmchat.hub.internal;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;

/**
 * The in-process lifetime manager: connections, groups and users in memory. A send builds the
 * invocation once and serializes it at most once per protocol, whatever the number of receivers.
 */
public final class DefaultHubLifetimeManager implements HubLifetimeManager {
  private final Map<String, HubConnectionContext> connections = new ConcurrentHashMap<>();
  private final Map<String, Set<HubConnectionContext>> groups = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> groupsOfConnection = new ConcurrentHashMap<>();
  private final Map<String, Set<HubConnectionContext>> users = new ConcurrentHashMap<>();
  private final ClientResults clientResults;

  /**
   * @param scheduler for client-result timeouts
   * @param completions where client results complete (never the I/O thread)
   */
  public DefaultHubLifetimeManager(
      ScheduledExecutorService scheduler, java.util.concurrent.Executor completions) {
    this.clientResults = new ClientResults(scheduler, completions);
  }

  @Override
  public CompletableFuture<Void> onConnected(HubConnectionContext connection) {
    connections.put(connection.connectionId(), connection);
    String user = connection.userIdentifier();
    if (user != null) {
      users.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet(2)).add(connection);
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> onDisconnected(HubConnectionContext connection) {
    String id = connection.connectionId();
    connections.remove(id);
    Set<String> joined = groupsOfConnection.remove(id);
    if (joined != null) {
      for (String group : joined) {
        removeMember(group, connection);
      }
    }
    String user = connection.userIdentifier();
    if (user != null) {
      users.computeIfPresent(
          user,
          (u, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
          });
    }
    clientResults.connectionClosed(id);
    return done();
  }

  private void removeMember(String group, HubConnectionContext connection) {
    groups.computeIfPresent(
        group,
        (g, set) -> {
          set.remove(connection);
          return set.isEmpty() ? null : set;
        });
  }

  private static SerializedHubMessage invocation(String method, Object[] args) {
    return new SerializedHubMessage(InvocationMessage.send(method, args));
  }

  @Override
  public CompletableFuture<Void> sendAll(
      String method, Object[] args, Collection<String> excluded) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      SerializedHubMessage message = invocation(method, args);
      for (HubConnectionContext c : connections.values()) {
        if (excluded == null || !excluded.contains(c.connectionId())) {
          batch.write(c, message);
        }
      }
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> sendConnection(String connectionId, String method, Object[] args) {
    HubConnectionContext c = connections.get(connectionId);
    if (c != null) {
      c.write(invocation(method, args));
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> sendConnections(
      Collection<String> connectionIds, String method, Object[] args) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      SerializedHubMessage message = invocation(method, args);
      for (String id : connectionIds) {
        HubConnectionContext c = connections.get(id);
        if (c != null) {
          batch.write(c, message);
        }
      }
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> sendGroup(
      String groupName, String method, Object[] args, Collection<String> excluded) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      Set<HubConnectionContext> members = groups.get(groupName);
      if (members != null) {
        SerializedHubMessage message = invocation(method, args);
        for (HubConnectionContext c : members) {
          if (excluded == null || !excluded.contains(c.connectionId())) {
            batch.write(c, message);
          }
        }
      }
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> sendGroups(
      Collection<String> groupNames, String method, Object[] args) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      SerializedHubMessage message = invocation(method, args);
      Set<String> sent = new HashSet<>();
      for (String group : groupNames) {
        Set<HubConnectionContext> members = groups.get(group);
        if (members != null) {
          for (HubConnectionContext c : members) {
            if (sent.add(c.connectionId())) {
              batch.write(c, message);
            }
          }
        }
      }
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> sendUser(String userId, String method, Object[] args) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      Set<HubConnectionContext> set = users.get(userId);
      if (set != null) {
        SerializedHubMessage message = invocation(method, args);
        for (HubConnectionContext c : set) {
          batch.write(c, message);
        }
      }
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> sendUsers(
      Collection<String> userIds, String method, Object[] args) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      SerializedHubMessage message = invocation(method, args);
      for (String user : userIds) {
        Set<HubConnectionContext> set = users.get(user);
        if (set != null) {
          for (HubConnectionContext c : set) {
            batch.write(c, message);
          }
        }
      }
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> addToGroup(String connectionId, String groupName) {
    HubConnectionContext c = connections.get(connectionId);
    if (c == null) {
      return done();
    }
    groups.computeIfAbsent(groupName, g -> ConcurrentHashMap.newKeySet()).add(c);
    groupsOfConnection
        .computeIfAbsent(connectionId, id -> ConcurrentHashMap.newKeySet(2))
        .add(groupName);
    if (!connections.containsKey(connectionId)) {
      // Disconnected meanwhile: undo, so no stale member stays behind.
      removeMember(groupName, c);
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> removeFromGroup(String connectionId, String groupName) {
    HubConnectionContext c = connections.get(connectionId);
    if (c == null) {
      return done();
    }
    removeMember(groupName, c);
    Set<String> joined = groupsOfConnection.get(connectionId);
    if (joined != null) {
      joined.remove(groupName);
    }
    return done();
  }

  @Override
  public <T> CompletableFuture<T> invokeConnection(
      String connectionId, String method, Object[] args, Type resultType, Duration timeout) {
    HubConnectionContext c = connections.get(connectionId);
    if (c == null) {
      return CompletableFuture.failedFuture(
          new HubException("Connection '" + connectionId + "' does not exist."));
    }
    String invocationId = clientResults.nextId();
    CompletableFuture<T> result =
        clientResults.register(connectionId, invocationId, resultType, timeout);
    InvocationMessage invocation =
        new InvocationMessage(null, invocationId, method, java.util.Arrays.asList(args), null);
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
