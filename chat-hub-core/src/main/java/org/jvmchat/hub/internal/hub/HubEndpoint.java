package org.jvmchat.hub.internal.hub;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.jvmchat.hub.ConnectionEnded;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubClients;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.connection.ConnectionTokens;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.internal.dispatch.HubDispatcher;
import org.jvmchat.hub.internal.lifetime.DefaultHubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.slf4j.LoggerFactory;

/** One mapped hub: its options, protocols, dispatcher, lifetime manager and connections. */
public final class HubEndpoint implements HubContext {
  private final HubMapping mapping;
  private final HubOptions options;
  private final Map<String, HubProtocol> protocols;
  private final HubDispatcher dispatcher;
  private final HubConnectionHandler handler;
  private final ServerConnection.Owner owner;
  private final HubLifetimeManager lifetimeManager;
  private final ExecutorService executor;
  private final List<ConnectionListener> listeners;
  private final Map<String, ServerConnection> connectionsByToken = new ConcurrentHashMap<>();
  private final HubClients clients;
  private final GroupManager groups;
  private final WriteScheduler.Registry writeSchedulers;
  private final Map<String, java.util.concurrent.atomic.LongAdder> sentByProtocol =
      new ConcurrentHashMap<>();
  private final ConnectionTokens tokens;

  HubEndpoint(
      HubMapping mapping,
      List<HubFilter> serverFilters,
      ExecutorService executor,
      ScheduledExecutorService scheduler,
      org.jvmchat.hub.spi.HubLifetimeManagerFactory managerFactory,
      List<ConnectionListener> listeners,
      WriteScheduler.Registry writeSchedulers,
      ConnectionTokens tokens,
      org.jvmchat.hub.HubRequestObserver requestObserver) {
    this.mapping = mapping;
    this.requestObserver = requestObserver;
    this.tokens = tokens;
    this.writeSchedulers = writeSchedulers;
    this.options = mapping.options();
    List<HubProtocol> enabled = protocolsOf(options);
    Map<String, HubProtocol> p = new java.util.LinkedHashMap<>();
    for (HubProtocol protocol : enabled) {
      p.put(protocol.name(), protocol);
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
            listeners,
            options.maximumParallelInvocationsPerClient());
    org.jvmchat.hub.spi.HubLifetimeManagerFactory.Context managerContext =
        new org.jvmchat.hub.spi.HubLifetimeManagerFactory.Context(
            mapping.path(), enabled, executor, scheduler);
    this.lifetimeManager =
        managerFactory == null
            ? new DefaultHubLifetimeManager(managerContext)
            : managerFactory.create(managerContext);
    this.clients = new Proxies.Clients(lifetimeManager, options);
    this.groups = new Proxies.Groups(lifetimeManager);
    Connections connections = new Connections();
    this.owner = connections;
    this.handler =
        new HubConnectionHandler(options, dispatcher, lifetimeManager, executor, connections);
  }

  /**
   * The hub protocols this server implements, in the order they are offered: each endpoint creates
   * the ones its {@link HubOptions#protocols()} enable, and nothing else names a protocol class.
   */
  private static final List<Map.Entry<String, Supplier<HubProtocol>>> IMPLEMENTED =
      List.of(
          Map.entry(JsonHubProtocol.NAME, JsonHubProtocol::new),
          Map.entry(MessagePackHubProtocol.NAME, MessagePackHubProtocol::new));

  /** The protocols {@code options} enable, one instance each. */
  static List<HubProtocol> protocolsOf(HubOptions options) {
    List<HubProtocol> list = new ArrayList<>();
    for (Map.Entry<String, Supplier<HubProtocol>> e : IMPLEMENTED) {
      if (options.protocols().contains(e.getKey())) {
        list.add(e.getValue().get());
      }
    }
    for (String name : options.protocols()) {
      if (list.stream().noneMatch(p -> p.name().equals(name))) {
        throw new IllegalArgumentException("Unknown hub protocol '" + name + "'");
      }
    }
    return List.copyOf(list);
  }

  public String path() {
    return mapping.path();
  }

  /** The server's observer of hub requests, or null. */
  public org.jvmchat.hub.HubRequestObserver requestObserver() {
    return requestObserver;
  }

  private final org.jvmchat.hub.HubRequestObserver requestObserver;

  public HubMapping mapping() {
    return mapping;
  }

  public HubOptions options() {
    return options;
  }

  /** The acceptor through which a connection source opens connections of this hub. */
  public org.jvmchat.hub.spi.HubConnectionAcceptor acceptor() {
    return new AcceptedConnections((id, token, user) -> newConnection(id, token, user, false));
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

  @Override
  public org.jvmchat.hub.UserGroupManager userGroups() {
    return new Proxies.UserGroups(lifetimeManager);
  }

  @Override
  public org.jvmchat.hub.ClientManager clientManager() {
    return new Proxies.Connections(lifetimeManager);
  }

  /**
   * A new connection, registered by its token. Created inside {@link #runAdmitted}, it takes the
   * request's admission (see {@link org.jvmchat.hub.ConnectionAdmission}).
   */
  public ServerConnection newConnection(
      String id, String token, HubUser user, boolean statefulNegotiated) {
    ServerConnection c =
        new ServerConnection(
            owner, options, id, token, user, statefulNegotiated, false, handler::open);
    connectionsByToken.put(token, c);
    AdmissionHold hold = admitting.get();
    if (hold != null && !hold.claimed) {
      hold.claimed = true;
      c.holdAdmission();
      try {
        mapping.admission().admitted(path(), id, user);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(HubEndpoint.class).warn("Connection admission failed", e);
      }
    }
    return c;
  }

  /** The admission of the request being handled on this thread (see {@link #runAdmitted}). */
  private static final class AdmissionHold {
    boolean claimed;
  }

  private final ThreadLocal<AdmissionHold> admitting = new ThreadLocal<>();

  /**
   * Runs {@code task}, the handling of a request the hub's admission admitted, on this thread: the
   * connection it creates ({@link #newConnection}) holds the admission; when it creates none, the
   * admission is released at once.
   */
  public void runAdmitted(HubUser user, Runnable task) {
    org.jvmchat.hub.ConnectionAdmission admission = mapping.admission();
    if (admission == null) {
      task.run();
      return;
    }
    AdmissionHold hold = new AdmissionHold();
    admitting.set(hold);
    try {
      task.run();
    } finally {
      admitting.remove();
      if (!hold.claimed) {
        try {
          admission.released(path(), null, user);
        } catch (RuntimeException e) {
          LoggerFactory.getLogger(HubEndpoint.class).warn("Connection admission failed", e);
        }
      }
    }
  }

  /**
   * The connection's end, once, at the start of its termination: its admission learns that it
   * disconnected (after connected) or that it was released (admitted, never connected).
   */
  void admissionEnded(ServerConnection c) {
    org.jvmchat.hub.ConnectionAdmission admission = mapping.admission();
    int phase = c.endAdmission();
    if (admission == null) {
      return;
    }
    try {
      if (phase == ServerConnection.ADMISSION_CONNECTED) {
        admission.disconnected(path(), c.connectionId(), c.user());
      } else if (phase == ServerConnection.ADMISSION_HELD) {
        admission.released(path(), c.connectionId(), c.user());
      }
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(HubEndpoint.class).warn("Connection admission failed", e);
    }
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
  public ServerConnection adopt(String token, ConnectionTokens.Claims claims, HubUser user) {
    if (!tokens.adoptable(token, claims)) {
      return null;
    }
    ServerConnection c =
        new ServerConnection(
            owner,
            options,
            claims.connectionId(),
            token,
            user,
            claims.stateful(),
            true,
            handler::open);
    ServerConnection existing = connectionsByToken.putIfAbsent(token, c);
    return existing == null ? c : null;
  }

  public ServerConnection find(String token) {
    return token == null ? null : connectionsByToken.get(token);
  }

  void remove(ServerConnection c) {
    if (connectionsByToken.remove(c.connectionToken(), c)) {
      countSent(c);
    }
  }

  /** On the connection's executor (its count is its executor's). */
  private void countSent(ServerConnection c) {
    int n = c.takeSentCount();
    HubProtocol p = c.protocol();
    if (n > 0 && p != null) {
      sentCounter(p).add(n);
    }
  }

  public Collection<ServerConnection> connections() {
    return connectionsByToken.values();
  }

  /**
   * The heartbeat: ticks every connection on its executor, one task per event loop (not one per
   * connection, which would wake the loops once per connection per second); a connection without a
   * transport yet has no executor and is ticked here. What the ticks count is reported by the next
   * heartbeat.
   */
  void tick(long now) {
    Map<EventExecutor, List<ServerConnection>> byExecutor = new java.util.HashMap<>();
    for (ServerConnection c : connectionsByToken.values()) {
      EventExecutor e = c.executor();
      if (e == null) {
        tick(c, now);
      } else {
        byExecutor.computeIfAbsent(e, k -> new ArrayList<>()).add(c);
      }
    }
    for (Map.Entry<EventExecutor, List<ServerConnection>> e : byExecutor.entrySet()) {
      List<ServerConnection> list = e.getValue();
      try {
        e.getKey()
            .execute(
                () -> {
                  for (ServerConnection c : list) {
                    tick(c, now);
                  }
                });
      } catch (RejectedExecutionException stopping) {
        // The server is stopping: its connections are being closed.
      }
    }
    reportCounted();
  }

  private void tick(ServerConnection c, long now) {
    try {
      countSent(c);
      c.tick(now);
      if (c.state() == ServerConnection.State.ACTIVE) {
        long queued = c.outboundQueuedBytes();
        for (ConnectionListener l : listeners) {
          l.outboundQueueSampled(path(), queued);
        }
      }
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(HubEndpoint.class).warn("Heartbeat of {} failed", c, e);
    }
  }

  void connected(ConnectionView c, HubProtocol p) {
    org.jvmchat.hub.ConnectionAdmission admission = mapping.admission();
    // Not when the connection already ended (its end released the admission instead).
    if (c.connectAdmission() && admission != null) {
      admission.connected(path(), c.connectionId(), c.user());
    }
    for (ConnectionListener l : listeners) {
      l.connected(path(), c.connectionId(), c.transportType().name(), p.name());
    }
  }

  void disconnected(ConnectionView c, HubProtocol p) {
    String transport = c.transportType() == null ? "none" : c.transportType().name();
    String protocol = p == null ? "none" : p.name();
    for (ConnectionListener l : listeners) {
      l.disconnected(path(), c.connectionId(), transport, protocol);
    }
    if (!listeners.isEmpty()) {
      Throwable cause = c.terminateCause();
      String status =
          stopping
              ? ConnectionEnded.APP_SHUTDOWN
              : cause instanceof java.util.concurrent.TimeoutException
                  ? ConnectionEnded.TIMEOUT
                  : ConnectionEnded.NORMAL_CLOSURE;
      ConnectionEnded ended =
          new ConnectionEnded(
              path(),
              c.connectionId(),
              transport,
              protocol,
              c.user(),
              java.time.Duration.ofNanos(System.nanoTime() - c.createdAtNanos()),
              status);
      for (ConnectionListener l : listeners) {
        l.connectionEnded(ended);
      }
    }
  }

  private volatile boolean stopping;

  /** The server is stopping: connections that end from now on end with {@code app_shutdown}. */
  void markStopping() {
    stopping = true;
  }

  void messageReceived(HubProtocol p) {
    for (ConnectionListener l : listeners) {
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
        for (ConnectionListener l : listeners) {
          l.messagesSent(path(), p.name(), 0);
        }
      }
    }
    return counter;
  }

  /**
   * Reports the messages counted since the last report (at stop, after the connections closed: a
   * connection adds its count when it is removed, and the ticks on its executor before).
   */
  void reportSent() {
    reportCounted();
  }

  private void reportCounted() {
    for (Map.Entry<String, java.util.concurrent.atomic.LongAdder> e : sentByProtocol.entrySet()) {
      long n = e.getValue().sumThenReset();
      if (n > 0) {
        for (ConnectionListener l : listeners) {
          l.messagesSent(path(), e.getKey(), n);
        }
      }
    }
  }

  WriteScheduler writeScheduler(EventExecutor eventLoop) {
    return writeSchedulers.of(eventLoop);
  }

  /** What this hub's connections and its handler call back: their end, listeners, metrics. */
  private final class Connections implements ServerConnection.Owner, HubConnectionHandler.Hub {
    @Override
    public WriteScheduler writeScheduler(EventExecutor eventLoop) {
      return HubEndpoint.this.writeScheduler(eventLoop);
    }

    @Override
    public void admissionEnded(ServerConnection connection) {
      HubEndpoint.this.admissionEnded(connection);
    }

    @Override
    public void remove(ServerConnection connection) {
      HubEndpoint.this.remove(connection);
    }

    @Override
    public HubProtocol protocol(String name) {
      return HubEndpoint.this.protocol(name);
    }

    @Override
    public void protocolUsed(HubProtocol p) {
      sentCounter(p);
    }

    @Override
    public void messageReceived(HubProtocol p) {
      HubEndpoint.this.messageReceived(p);
    }

    @Override
    public void connected(ConnectionView connection, HubProtocol p) {
      HubEndpoint.this.connected(connection, p);
    }

    @Override
    public void disconnected(ConnectionView connection, HubProtocol p) {
      HubEndpoint.this.disconnected(connection, p);
    }
  }
}
