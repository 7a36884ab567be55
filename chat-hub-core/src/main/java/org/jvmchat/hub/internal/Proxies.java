package org.jvmchat.hub.internal;

import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.ClientProxy;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubClients;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.SingleClientProxy;
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
  }
}
