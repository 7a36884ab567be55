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
  private final Map<String, java.util.concurrent.atomic.LongAdder> sentByProtocol =
      new ConcurrentHashMap<>();
  private final ConnectionTokens tokens;

  HubEndpoint(
      HubServer.HubMapping mapping,
      List<HubFilter> serverFilters,
      ExecutorService executor,
      ScheduledExecutorService scheduler,
      org.jvmchat.hub.spi.HubLifetimeManagerFactory managerFactory,
      List<HubServer.ConnectionListener> listeners,
      WriteScheduler.Registry writeSchedulers,
      ConnectionTokens tokens) {
    this.mapping = mapping;
    this.tokens = tokens;
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
    org.jvmchat.hub.spi.HubLifetimeManagerFactory.Context managerContext =
        new org.jvmchat.hub.spi.HubLifetimeManagerFactory.Context(
            mapping.path(), List.copyOf(p.values()), executor, scheduler);
    this.lifetimeManager =
        managerFactory == null
            ? new DefaultHubLifetimeManager(managerContext)
            : managerFactory.create(managerContext);
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

  /**
   * A connection token for a negotiated connection: signed (verifiable by every instance sharing
   * the key, adoptable until the disconnect timeout has passed) or random (see {@link
   * ConnectionTokens}).
   */
  public String newToken(String connectionId, HubUser user, boolean statefulNegotiated) {
    return tokens.issue(
        path(),
        connectionId,
        user == null ? null : user.id(),
        statefulNegotiated,
        options.disconnectTimeout().toMillis());
  }

  /** The claims of a signed token of this hub, or null. */
  public ConnectionTokens.Claims verify(String token) {
    return tokens.verify(path(), token);
  }

  /**
   * Creates here a connection that another instance negotiated (its token verified by the caller),
   * once per token and only within the token's adoption window; null otherwise.
   */
  public HubConnection adopt(String token, ConnectionTokens.Claims claims, HubUser user) {
    if (!tokens.adoptable(token, claims)) {
      return null;
    }
    HubConnection c =
        new HubConnection(this, claims.connectionId(), token, user, claims.stateful());
    HubConnection existing = connectionsByToken.putIfAbsent(token, c);
    return existing == null ? c : null;
  }

  public HubConnection find(String token) {
    return token == null ? null : connectionsByToken.get(token);
  }

  void remove(HubConnection c) {
    if (connectionsByToken.remove(c.connectionToken(), c)) {
      countSent(c);
    }
  }

  private void countSent(HubConnection c) {
    int n = c.takeSentCount();
    HubProtocol p = c.protocol();
    if (n > 0 && p != null) {
      sentCounter(p).add(n);
    }
  }

  public Collection<HubConnection> connections() {
    return connectionsByToken.values();
  }

  void tick(long now) {
    for (HubConnection c : connectionsByToken.values()) {
      try {
        countSent(c);
        c.tick(now);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(HubEndpoint.class).warn("Heartbeat of {} failed", c, e);
      }
    }
    reportCounted();
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

  /**
   * The count of hub messages sent in {@code p}: connections add to it once per drain, and the
   * heartbeat reports it to the listeners about once a second (a per-message listener call cost
   * more than the write itself in a broadcast). The first use reports 0, so the metric exists from
   * the first connection on.
   */
  java.util.concurrent.atomic.LongAdder sentCounter(HubProtocol p) {
    java.util.concurrent.atomic.LongAdder counter = sentByProtocol.get(p.name());
    if (counter == null) {
      java.util.concurrent.atomic.LongAdder created = new java.util.concurrent.atomic.LongAdder();
      counter = sentByProtocol.putIfAbsent(p.name(), created);
      if (counter == null) {
        counter = created;
        for (HubServer.ConnectionListener l : listeners) {
          l.messagesSent(path(), p.name(), 0);
        }
      }
    }
    return counter;
  }

  /** Counts and reports the messages sent since the last report (at stop; tick does the same). */
  void reportSent() {
    for (HubConnection c : connectionsByToken.values()) {
      countSent(c);
    }
    reportCounted();
  }

  private void reportCounted() {
    for (Map.Entry<String, java.util.concurrent.atomic.LongAdder> e : sentByProtocol.entrySet()) {
      long n = e.getValue().sumThenReset();
      if (n > 0) {
        for (HubServer.ConnectionListener l : listeners) {
          l.messagesSent(path(), e.getKey(), n);
        }
      }
    }
  }

  WriteScheduler writeScheduler(io.netty.util.concurrent.EventExecutor eventLoop) {
    return writeSchedulers.of(eventLoop);
  }
}
