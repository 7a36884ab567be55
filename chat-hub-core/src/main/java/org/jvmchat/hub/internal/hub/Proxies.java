package org.jvmchat.hub.internal.hub;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.ClientManager;
import org.jvmchat.hub.ClientProxy;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubClients;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.SingleClientProxy;
import org.jvmchat.hub.UserGroupManager;
import org.jvmchat.hub.spi.HubLifetimeManager;

/** The client proxies and group manager, all delegating to the hub's lifetime manager. */
final class Proxies {
  private Proxies() {}

  private static final Object[] NO_ARGS = new Object[0];

  private static Object[] args(Object[] args) {
    return args == null ? NO_ARGS : args;
  }

  static class Clients implements HubClients {
    final HubLifetimeManager manager;
    final HubOptions options;

    Clients(HubLifetimeManager manager, HubOptions options) {
      this.manager = manager;
      this.options = options;
    }

    @Override
    public ClientProxy all() {
      return (m, a) -> manager.sendAll(m, args(a), List.of());
    }

    @Override
    public ClientProxy allExcept(Collection<String> excluded) {
      List<String> ex = List.copyOf(excluded);
      return (m, a) -> manager.sendAll(m, args(a), ex);
    }

    @Override
    public SingleClientProxy client(String connectionId) {
      return new Single(manager, connectionId, options);
    }

    @Override
    public ClientProxy clients(Collection<String> connectionIds) {
      List<String> ids = List.copyOf(connectionIds);
      return (m, a) -> manager.sendConnections(ids, m, args(a));
    }

    @Override
    public ClientProxy group(String groupName) {
      return (m, a) -> manager.sendGroup(groupName, m, args(a), List.of());
    }

    @Override
    public ClientProxy groups(Collection<String> groupNames) {
      List<String> names = List.copyOf(groupNames);
      return (m, a) -> manager.sendGroups(names, m, args(a));
    }

    @Override
    public ClientProxy groupExcept(String groupName, Collection<String> excluded) {
      List<String> ex = List.copyOf(excluded);
      return (m, a) -> manager.sendGroup(groupName, m, args(a), ex);
    }

    @Override
    public ClientProxy user(String userId) {
      return (m, a) -> manager.sendUser(userId, m, args(a));
    }

    @Override
    public ClientProxy users(Collection<String> userIds) {
      List<String> ids = List.copyOf(userIds);
      return (m, a) -> manager.sendUsers(ids, m, args(a));
    }
  }

  static final class CallerClients extends Clients implements HubCallerClients {
    private final String connectionId;

    CallerClients(HubLifetimeManager manager, String connectionId, HubOptions options) {
      super(manager, options);
      this.connectionId = connectionId;
    }

    @Override
    public SingleClientProxy caller() {
      return client(connectionId);
    }

    @Override
    public ClientProxy others() {
      return allExcept(List.of(connectionId));
    }

    @Override
    public ClientProxy othersInGroup(String groupName) {
      return groupExcept(groupName, List.of(connectionId));
    }
  }

  static final class Single implements SingleClientProxy {
    private final HubLifetimeManager manager;
    private final String connectionId;
    private final HubOptions options;

    Single(HubLifetimeManager manager, String connectionId, HubOptions options) {
      this.manager = manager;
      this.connectionId = connectionId;
      this.options = options;
    }

    @Override
    public CompletableFuture<Void> send(String method, Object... a) {
      return manager.sendConnection(connectionId, method, args(a));
    }

    @Override
    public <T> CompletableFuture<T> invoke(Type resultType, String method, Object... a) {
      return manager.invokeConnection(
          connectionId, method, args(a), resultType, options.clientResultTimeout());
    }
  }

  static final class Groups implements GroupManager {
    private final HubLifetimeManager manager;

    Groups(HubLifetimeManager manager) {
      this.manager = manager;
    }

    @Override
    public CompletableFuture<Void> addToGroup(String connectionId, String groupName) {
      return manager.addToGroup(connectionId, groupName);
    }

    @Override
    public CompletableFuture<Void> removeFromGroup(String connectionId, String groupName) {
      return manager.removeFromGroup(connectionId, groupName);
    }

    @Override
    public CompletableFuture<Void> removeFromAllGroups(String connectionId) {
      return manager.removeFromAllGroups(connectionId);
    }
  }

  static final class UserGroups implements UserGroupManager {
    private final HubLifetimeManager manager;

    UserGroups(HubLifetimeManager manager) {
      this.manager = manager;
    }

    @Override
    public CompletableFuture<Void> addToGroup(String userId, String groupName, Duration ttl) {
      return manager.addUserToGroup(userId, groupName, ttl);
    }

    @Override
    public CompletableFuture<Void> removeFromGroup(String userId, String groupName) {
      return manager.removeUserFromGroup(userId, groupName);
    }

    @Override
    public CompletableFuture<Void> removeFromAllGroups(String userId) {
      return manager.removeUserFromAllGroups(userId);
    }

    @Override
    public CompletableFuture<Boolean> isUserInGroup(String userId, String groupName) {
      return manager.isUserInGroup(userId, groupName);
    }
  }

  static final class Connections implements ClientManager {
    private final HubLifetimeManager manager;

    Connections(HubLifetimeManager manager) {
      this.manager = manager;
    }

    @Override
    public CompletableFuture<Boolean> closeConnection(String connectionId, String reason) {
      return manager.closeConnection(connectionId, reason);
    }

    @Override
    public CompletableFuture<Void> closeConnections(Collection<String> excluded, String reason) {
      return manager.closeAll(List.copyOf(excluded), reason);
    }

    @Override
    public CompletableFuture<Void> closeGroupConnections(
        String groupName, Collection<String> excluded, String reason) {
      return manager.closeGroup(groupName, List.copyOf(excluded), reason);
    }

    @Override
    public CompletableFuture<Void> closeUserConnections(
        String userId, Collection<String> excluded, String reason) {
      return manager.closeUser(userId, List.copyOf(excluded), reason);
    }

    @Override
    public CompletableFuture<Boolean> connectionExists(String connectionId) {
      return manager.connectionExists(connectionId);
    }

    @Override
    public CompletableFuture<Boolean> userExists(String userId) {
      return manager.userExists(userId);
    }

    @Override
    public CompletableFuture<Boolean> groupExists(String groupName) {
      return manager.groupExists(groupName);
    }
  }
}
