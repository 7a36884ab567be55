package org.jvmchat.hub.internal.hub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubCallerContext;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.connection.Fanout;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.internal.dispatch.ActiveStreams;
import org.jvmchat.hub.internal.dispatch.CallerConnection;
import org.jvmchat.hub.internal.dispatch.ServerBusyException;
import org.jvmchat.hub.internal.dispatch.UploadStream;
import org.jvmchat.hub.internal.transport.LoopFlush;
import org.jvmchat.hub.internal.transport.SharedFrames;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.internal.MessageBuffer;
import org.jvmchat.protocol.internal.SerialExecutor;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's state of one connection (ASP.NET Core's {@code HubConnectionContext}), owned by the
 * hub's {@link HubConnectionHandler}: the protocol of the handshake, the keep-alive and the client
 * timeout, the handshake timeout, the caller context and its items, the serial order of the
 * invocations, server-to-client and client-to-server streams, the invocation queue's bound ({@link
 * ReadGate}) and the parsing state ({@link HubInbound}). Lifetime managers write to it ({@link
 * HubConnectionContext}), the dispatcher sees it as a {@link CallerConnection}; it writes through
 * the transport-level connection's {@link ConnectionView} (the outbound queue), with no hop, lock
 * or allocation of its own.
 *
 * <p><b>Threads.</b> As its connection's: methods marked "executor" run on the connection's event
 * loop; writes come from any thread; {@link #protocol} is volatile, written on the executor.
 */
final class DefaultHubConnectionContext
    implements HubConnectionContext, CallerConnection, WriteScheduler.BatchWriter, Fanout.Member {
  private static final Logger log = LoggerFactory.getLogger(DefaultHubConnectionContext.class);

  private static final VarHandle ITEMS;

  static {
    try {
      ITEMS =
          MethodHandles.lookup()
              .findVarHandle(DefaultHubConnectionContext.class, "items", ConcurrentMap.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConnectionView connection;
  private final HubOptions options;
  private final HubLifetimeManager lifetimeManager;

  // Made when first asked for (most connections never use it): see items().
  @SuppressWarnings("unused") // through ITEMS
  private volatile ConcurrentMap<Object, Object> items;

  private final SerialExecutor serial;
  private final ActiveStreams activeStreams = new ActiveStreams();
  private final UploadStreams uploads;
  // The caller's views, made at the first invocation that asks (an idle connection never does).
  // Each is immutable (final fields only), so two threads racing to make one is harmless.
  private HubCallerContext callerContext;
  private HubCallerClients callerClients;
  private GroupManager groupManager;
  private final HubInbound inbound;
  private final ReadGate gate; // the invocation queue's bound and the read pause (issue #27)
  // Wall-clock millis at which the user's credential expires (CloseOnAuthenticationExpiration).
  private final long authenticationExpiresAt;

  private volatile HubProtocol protocol; // written on the executor, at the handshake
  private long lastPingSentAt = System.nanoTime(); // executor

  DefaultHubConnectionContext(
      ConnectionView connection,
      HubOptions options,
      ExecutorService executor,
      HubLifetimeManager lifetimeManager,
      ReadGate.Reader reader) {
    this.connection = connection;
    this.options = options;
    this.lifetimeManager = lifetimeManager;
    String connectionId = connection.connectionId();
    HubUser user = connection.user();
    this.authenticationExpiresAt =
        options.closeOnAuthenticationExpiration() && user != null
            ? user.expiration().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE)
            : Long.MAX_VALUE;
    this.serial =
        SerialExecutor.failWhenRejected(
            executor,
            1, // one task per hand-over: a connection's invocations never hold a thread in a row
            ServerBusyException::new,
            e -> log.warn("A task of connection {} failed", connectionId, e));
    this.uploads = new UploadStreams(options.streamBufferCapacity(), executor);
    this.inbound = new HubInbound(options.maxMessageSize());
    this.gate = new ReadGate(connection, options, reader);
  }

  // ------------------------------------------------------------------ accessors

  @Override
  public String connectionId() {
    return connection.connectionId();
  }

  @Override
  public HubUser user() {
    return connection.user();
  }

  @Override
  public String userIdentifier() {
    HubUser user = connection.user();
    return user == null ? null : user.id();
  }

  @Override
  public HubProtocol protocol() {
    return protocol;
  }

  @Override
  public SerialExecutor serial() {
    return serial;
  }

  @Override
  public ActiveStreams activeStreams() {
    return activeStreams;
  }

  @Override
  public HubCallerContext callerContext() {
    HubCallerContext c = callerContext;
    if (c == null) {
      c = new CallerContext();
      callerContext = c;
    }
    return c;
  }

  @Override
  public HubCallerClients callerClients() {
    HubCallerClients c = callerClients;
    if (c == null) {
      c = new Proxies.CallerClients(lifetimeManager, connection.connectionId(), options);
      callerClients = c;
    }
    return c;
  }

  @Override
  public GroupManager groupManager() {
    GroupManager g = groupManager;
    if (g == null) {
      g = new Proxies.Groups(lifetimeManager);
      groupManager = g;
    }
    return g;
  }

  /** The caller context's items, made on first use (once, whichever thread asks first). */
  @SuppressWarnings("unchecked")
  private ConcurrentMap<Object, Object> items() {
    ConcurrentMap<Object, Object> m = (ConcurrentMap<Object, Object>) ITEMS.getAcquire(this);
    if (m != null) {
      return m;
    }
    ConcurrentMap<Object, Object> made = new ConcurrentHashMap<>();
    Object witness = ITEMS.compareAndExchange(this, null, made);
    return witness == null ? made : (ConcurrentMap<Object, Object>) witness;
  }

  /** The transport-level connection as the hub side sees it. */
  ConnectionView connection() {
    return connection;
  }

  /** Executor: the current transport, or null. */
  Transport transport() {
    return connection.transport();
  }

  /** Executor: the handler's parsing state of this connection. */
  HubInbound inbound() {
    return inbound;
  }

  /** The invocation queue's bound and the read pause. */
  ReadGate gate() {
    return gate;
  }

  UploadStreams uploads() {
    return uploads;
  }

  // ------------------------------------------------------------------ outbound (any thread)

  @Override
  public boolean write(SerializedHubMessage message) {
    return write(message, null);
  }

  @Override
  public boolean write(HubMessage message) {
    return write(new SerializedHubMessage(message));
  }

  /** A write of a broadcast: the event loop is woken when {@code batch} closes. */
  @Override
  public boolean write(SerializedHubMessage message, WriteScheduler.Batch batch) {
    HubProtocol p = protocol;
    if (p == null) {
      return false;
    }
    HubMessage m = message.message();
    boolean trackable = m == null || m instanceof HubInvocationMessage;
    return connection.enqueue(message.bytes(p), trackable, false, batch);
  }

  @Override
  public WriteScheduler writeScheduler() {
    return connection.writeScheduler();
  }

  /**
   * On the executor, a broadcast: its shared frame when the connection can take it, else queued.
   */
  @Override
  public boolean writeOnLoop(
      SerializedHubMessage message,
      SharedFrames frames,
      LoopFlush flush,
      WriteScheduler.Batch batch) {
    HubProtocol p = protocol;
    if (p == null) {
      return false;
    }
    if (connection.writeShared(frames, p, flush)) {
      return true;
    }
    return connection.enqueueInOrder(message.bytes(p), batch);
  }

  private void send(byte[] bytes, boolean force) {
    connection.enqueue(bytes, false, force, null);
  }

  // ------------------------------------------------------------------ close

  /** Ends the connection with a Close message (error null for a normal close). */
  @Override
  public void close(String error, boolean allowReconnect) {
    close(error, allowReconnect, error == null ? null : new HubException(error));
  }

  /** Ends the connection with a Close message (once the handshake was done); any thread. */
  void close(String error, boolean allowReconnect, Throwable cause) {
    // Behind the broadcasts already on their way to this connection's loop: what was sent before
    // the close goes out before its Close message.
    connection.afterPendingBroadcasts(
        () -> {
          if (!connection.beginClose()) {
            return;
          }
          if (inbound.handshakeDone()) {
            send(protocol.toBytes(new CloseMessage(error, allowReconnect)), true);
          }
          connection.endTransport();
          connection.terminate(cause);
        });
  }

  /** Executor: the client sent Close; answer with Close and end. */
  void closedByClient(String error) {
    connection.markClosing();
    send(protocol.toBytes(CloseMessage.EMPTY), true);
    connection.endTransport();
    connection.terminate(error == null ? null : new HubException(error));
  }

  /** Executor, as the connection ends: streams stopped, held POSTs answered. */
  void ended() {
    activeStreams.cancelAll();
    uploads.failAll();
    gate.connectionEnded();
  }

  // ------------------------------------------------------------------ handshake

  /**
   * Executor, from the handler: the handshake succeeded with {@code p}. Answers it, turns stateful
   * reconnect on when negotiated, asked for (version 2) and possible on this transport.
   *
   * @return for a stateful connection, its message buffer (the handler numbers the inbound side,
   *     the outbound queue the outbound side, both on the executor), else null
   */
  MessageBuffer<byte[]> handshakeCompleted(HubProtocol p, int version) {
    this.protocol = p;
    MessageBuffer<byte[]> buffer = null;
    if (connection.isStatefulNegotiated()
        && version >= 2
        && connection.transport().supportsStatefulReconnect()) {
      buffer = MessageBuffer.ofBytes(options.statefulReconnectBufferSize());
    }
    connection.startProtocol(p.transferFormat() == TransferFormat.Binary, buffer);
    // The answer and everything after it wait until onConnected completed (connected()): a client
    // that saw its connection start is in the groups onConnected put it in.
    connection.holdOutput();
    send(HandshakeProtocol.writeResponse(HandshakeResponse.SUCCESS), false);
    lastPingSentAt = System.nanoTime();
    return buffer;
  }

  /**
   * Any thread: onConnected completed; the handshake answer and what was written since go out, in
   * order.
   */
  void connected() {
    connection.releaseOutput();
  }

  /** Executor: the handshake failed; the client gets the error as text, then the end. */
  void failHandshake(String error) {
    connection.markClosing();
    send(HandshakeProtocol.writeResponse(new HandshakeResponse(error)), true);
    connection.endTransport();
    connection.terminate(null);
  }

  /** Whether the connection was created here for a token another instance negotiated. */
  boolean adopted() {
    return connection.isAdopted();
  }

  /**
   * Executor: an adopted connection whose client's first bytes are not a handshake request. That
   * client is resuming (stateful reconnect) a connection that another instance holds, and reached
   * this one through a balancer without session affinity. It gets no handshake answer (a client
   * past its handshake would read one as a message without a type): the socket is dropped as a
   * network loss would drop it, so the client tries again, and finds the connection on the instance
   * holding it or a 404 (an instance adopts a token once, and the issuing one never).
   */
  void dropResumeOfAnotherInstance() {
    log.debug(
        "Connection {}: negotiated elsewhere and resumed here (no handshake); socket dropped",
        connectionId());
    connection.markClosing();
    // Unregistered before the socket goes: a retry sent as soon as the client sees the close
    // must find no connection here (404), not this one still closing (409).
    connection.terminate(null);
    Transport t = connection.transport();
    if (t != null) {
      t.abort();
    }
  }

  /** Executor: the client acknowledged; messages held back for a full replay buffer may go. */
  void acknowledged(long sequenceId) {
    connection.acknowledged(sequenceId);
  }

  // ------------------------------------------------------------------ the invocation queue bound

  /** Whether the handler must parse no further message (see {@link ReadGate#full()}). */
  boolean invocationQueueFull() {
    return gate.full();
  }

  @Override
  public long invocationQueued() {
    return gate.queued(inbound.currentMessageSize());
  }

  @Override
  public void invocationFinished(long bytes) {
    gate.finished(bytes);
  }

  /** Executor, from the handler: the queue is at its bound (see {@link ReadGate#atBound}). */
  void invocationQueueAtBound(int heldBytes) {
    gate.atBound(heldBytes);
  }

  /**
   * Executor, while a StreamItem is routed: {@code stream}'s buffer is full (see {@link ReadGate}).
   */
  void pauseReadingUntilSpace(UploadStream stream) {
    gate.pauseUntilSpace(stream);
  }

  /** Registers a client-to-server stream (a hub thread); null when the id is in use. */
  @Override
  public UploadStream openUploadStream(String streamId, Type itemType) {
    return uploads.open(streamId, itemType);
  }

  @Override
  public void closeUploadStream(String streamId) {
    uploads.close(streamId);
  }

  // ------------------------------------------------------------------ heartbeat

  /**
   * Executor, about once a second while a transport is attached: the handshake timeout, the
   * authentication's expiry, Acks, keep-alive pings and the client timeout.
   */
  void tick(long now) {
    if (!inbound.handshakeDone()) {
      if (!connection.isClosing()
          && now - connection.transportAttachedAt() > options.handshakeTimeout().toNanos()) {
        failHandshake("Handshake was canceled.");
      }
      return;
    }
    if (connection.isClosing()) {
      return;
    }
    if (authenticationExpiresAt != Long.MAX_VALUE
        && System.currentTimeMillis() >= authenticationExpiresAt) {
      log.debug("Connection {}: authentication expired", connectionId());
      close(
          "Connection closed with an error. The authentication expired.",
          true,
          new HubException("The authentication expired."));
      return;
    }
    long ack = inbound.takeAck();
    if (ack >= 0) {
      send(protocol.toBytes(new AckMessage(ack)), false);
    }
    if (!connection.transport().needsKeepAlive()) {
      return;
    }
    if (now - lastPingSentAt >= options.keepAliveInterval().toNanos()) {
      lastPingSentAt = now;
      send(protocol.toBytes(PingMessage.INSTANCE), false);
    }
    // While the server does not read (the invocation bound), the client's Pings wait unread: as
    // ASP.NET Core stops the client timeout while it dispatches, that silence does not count.
    if (!gate.paused() && inbound.timedOut(now, options.clientTimeout().toNanos())) {
      log.debug("Connection {}: client timeout", connectionId());
      close(
          "Connection closed with an error.",
          true,
          new TimeoutException(
              "Client hasn't sent a message/ping within the configured client timeout."));
    }
  }

  @Override
  public String toString() {
    return "HubConnectionContext[" + connection + "]";
  }

  /** The connection as its hub methods see the caller: {@link org.jvmchat.hub.Hub#context()}. */
  private final class CallerContext implements HubCallerContext {
    @Override
    public String connectionId() {
      return connection.connectionId();
    }

    @Override
    public HubUser user() {
      return connection.user();
    }

    @Override
    public ConcurrentMap<Object, Object> items() {
      return DefaultHubConnectionContext.this.items();
    }

    @Override
    public String transport() {
      HttpTransportType t = connection.transportType();
      return t == null ? null : t.name();
    }

    @Override
    public String protocol() {
      HubProtocol p = protocol;
      return p == null ? null : p.name();
    }

    @Override
    public void abort() {
      close(null, false, null);
    }
  }
}
