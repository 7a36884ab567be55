package org.jvmchat.hub.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubClients;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.dispatch.HubDispatcher;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/** One mapped hub: its options, protocols, dispatcher, lifetime manager and connections. */
public final class HubEndpoint implements HubContext {
  private final HubServer.HubMapping mapping;
  private final HubOptions options;
  private final Map<String, HubProtocol> protocols;
  private final HubDispatcher dispatcher;
  private final HubLifetimeManager lifetimeManager;
  private final ExecutorService executor;
  private final List<HubServer.ConnectionListener> listeners;
  private final Map<String, HubConnection> connectionsByToken = new ConcurrentHashMap<>();
  private final HubClients clients;
  private final GroupManager groups;
  private final WriteScheduler.Registry writeSchedulers;

  HubEndpoint(
      HubServer.HubMapping mapping,
      List<HubFilter> serverFilters,
      ExecutorService executor,
      ScheduledExecutorService scheduler,
      org.jvmchat.hub.spi.HubLifetimeManagerFactory managerFactory,
      List<HubServer.ConnectionListener> listeners,
      WriteScheduler.Registry writeSchedulers) {
    this.mapping = mapping;
    this.writeSchedulers = writeSchedulers;
    this.options = mapping.options();
    Map<String, HubProtocol> p = new java.util.LinkedHashMap<>();
    if (options.protocols().contains(JsonHubProtocol.NAME)) {
      p.put(JsonHubProtocol.NAME, new JsonHubProtocol());
    }
    if (options.protocols().contains(MessagePackHubProtocol.NAME)) {
      p.put(MessagePackHubProtocol.NAME, new MessagePackHubProtocol());
    }
    this.protocols = Map.copyOf(p);
    this.executor = executor;
    this.listeners = List.copyOf(listeners);
    List<HubFilter> filters = new ArrayList<>(serverFilters);
    filters.addAll(mapping.filters());
    this.dispatcher =
        new HubDispatcher(
            mapping.path(),
            mapping.factory(),
            filters,
            options.detailedErrors(),
            executor,
            listeners);
    this.lifetimeManager =
        managerFactory == null
            ? new DefaultHubLifetimeManager(scheduler, executor)
            : managerFactory.create(mapping.path(), List.copyOf(p.values()));
    this.clients = new Proxies.Clients(lifetimeManager, options);
    this.groups = new Proxies.Groups(lifetimeManager);
  }

  public String path() {
    return mapping.path();
  }

  public HubServer.HubMapping mapping() {
    return mapping;
  }

  public HubOptions options() {
    return options;
  }

  public HubDispatcher dispatcher() {
    return dispatcher;
  }

  public HubLifetimeManager lifetimeManager() {
    return lifetimeManager;
  }

  ExecutorService executor() {
    return executor;
  }

  /** The enabled protocol with that name, or null. */
  public HubProtocol protocol(String name) {
    return protocols.get(name);
  }

  @Override
  public HubClients clients() {
    return clients;
  }

  @Override
  public GroupManager groups() {
    return groups;
  }

  /** A new connection, registered by its token. */
  public HubConnection newConnection(
      String id, String token, HubUser user, boolean statefulNegotiated) {
    HubConnection c = new HubConnection(this, id, token, user, statefulNegotiated);
    connectionsByToken.put(token, c);
    return c;
  }

  public HubConnection find(String token) {
    return token == null ? null : connectionsByToken.get(token);
  }

  void remove(HubConnection c) {
    connectionsByToken.remove(c.connectionToken(), c);
  }

  public Collection<HubConnection> connections() {
    return connectionsByToken.values();
  }

  void tick(long now) {
    for (HubConnection c : connectionsByToken.values()) {
      try {
        c.tick(now);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(HubEndpoint.class).warn("Heartbeat of {} failed", c, e);
      }
    }
  }

  void connected(HubConnection c) {
    for (HubServer.ConnectionListener l : listeners) {
      l.connected(path(), c.connectionId(), c.transportType().name(), c.protocol().name());
    }
  }

  void disconnected(HubConnection c) {
    for (HubServer.ConnectionListener l : listeners) {
      l.disconnected(
          path(),
          c.connectionId(),
          c.transportType() == null ? "none" : c.transportType().name(),
          c.protocol() == null ? "none" : c.protocol().name());
    }
  }

  void messageReceived(HubProtocol p) {
    for (HubServer.ConnectionListener l : listeners) {
      l.messageReceived(path(), p.name());
    }
  }

  /** Hub messages handed to a transport, counted per drain rather than per message. */
  void messagesSent(HubProtocol p, int count) {
    for (HubServer.ConnectionListener l : listeners) {
      l.messagesSent(path(), p.name(), count);
    }
  }

  WriteScheduler writeScheduler(io.netty.util.concurrent.EventExecutor eventLoop) {
    return writeSchedulers.of(eventLoop);
  }
}
