package org.jvmchat.hub.internal.hub;

import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubCallerContext;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.connection.OutboundQueue;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.internal.dispatch.ActiveStreams;
import org.jvmchat.hub.internal.dispatch.CallerConnection;
import org.jvmchat.hub.internal.dispatch.ServerBusyException;
import org.jvmchat.hub.internal.dispatch.UploadStream;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.internal.transport.TransportConnection;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.internal.MessageBuffer;
import org.jvmchat.protocol.internal.SerialExecutor;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SignalR connection, independent of the transport carrying it (ASP.NET Core's {@code
 * HttpConnectionContext}, plus what its {@code HubConnectionContext} keeps per connection): created
 * by negotiate (or a WebSocket without negotiation), it outlives each HTTP request (long polling)
 * and each socket (stateful reconnect). It keeps which transport carries it, the state machine
 * (new, active, inactive, closed), the outbound queue, keep-alive and timeouts, close and
 * termination. What it is told, it hands on, one way:
 *
 * <ul>
 *   <li>its transport hands it the client's bytes and events ({@link TransportConnection}) and
 *       drains its {@link OutboundQueue}, which the connection never polls itself;
 *   <li>it hands the bytes to its hub's {@link HubConnectionHandler} (handshake, onConnected,
 *       parsing and routing, onDisconnected), whose per-connection state is its {@link HubInbound};
 *   <li>the dispatcher sees it only as a {@link CallerConnection}, lifetime managers as a {@link
 *       HubConnectionContext}, the write scheduler as a {@link WriteScheduler.Drainable};
 *   <li>the invocation queue's bound and the read pause are its {@link ReadGate}, the caller
 *       context its {@link ConnectionCallerContext}, client-to-server streams its {@link
 *       UploadStreams}.
 * </ul>
 *
 * <p><b>Threads.</b> The connection's mutable state belongs to one Netty event loop, its
 * <em>executor</em>: the event loop of its first transport (a WebSocket's or SSE stream's channel,
 * the first long poll's). Fields marked "executor" are touched only there and need no
 * synchronization. Entry points that other threads call hop onto the executor: {@link #receive} (a
 * POST body on another HTTP connection, a socket that a stateful reconnect opened on another loop),
 * {@link #close}, {@link #reattach}, {@link #transportClosed}, {@link #deleteLongPolling}; the
 * heartbeat ticks every connection of an executor in one task per loop. Writes ({@link #write}) do
 * not hop: they go through the {@link OutboundQueue}'s lock-free hand-off, and the connection is
 * put on its executor's {@link WriteScheduler} once per drain. The few fields other threads read
 * (state, transport type, protocol, closing, stateful) are volatile and written on the executor
 * only.
 */
public final class ServerConnection
    implements HubConnectionContext,
        TransportConnection,
        CallerConnection,
        WriteScheduler.Drainable {
  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  /** The lifecycle of the connection. */
  public enum State {
    /** Negotiated, no transport yet. */
    NEW,
    /** A transport is attached. */
    ACTIVE,
    /** Between long polls, or a stateful connection whose socket dropped. */
    INACTIVE,
    CLOSED
  }

  private final HubEndpoint endpoint;
  private final HubOptions options;
  private final String connectionId;
  private final String connectionToken;
  private final HubUser user;
  private final boolean statefulNegotiated;
  private final ConcurrentMap<Object, Object> items = new ConcurrentHashMap<>();
  private final SerialExecutor serial;
  private final ActiveStreams activeStreams = new ActiveStreams();
  private final UploadStreams uploads;
  private final HubCallerContext callerContext = new ConnectionCallerContext(this);
  private final HubCallerClients callerClients;
  private final GroupManager groupManager;
  private final HubConnectionHandler handler; // the hub's, shared by its connections
  private final HubInbound inbound;
  private final OutboundQueue outbound;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicBoolean terminated = new AtomicBoolean();
  // Where the connection is in its admission's life (see ConnectionAdmission): any thread.
  static final int ADMISSION_NONE = 0;
  static final int ADMISSION_HELD = 1;
  static final int ADMISSION_CONNECTED = 2;
  static final int ADMISSION_ENDED = 3;
  private final AtomicInteger admissionPhase = new AtomicInteger(ADMISSION_NONE);
  private final long createdAt = System.nanoTime();
  private volatile Throwable terminateCause;
  private final ReadGate gate; // the invocation queue's bound and the read pause (issue #27)
  // Wall-clock millis at which the user's credential expires (CloseOnAuthenticationExpiration).
  private final long authenticationExpiresAt;

  // Set once by the first attach, before the state becomes ACTIVE; read by any thread.
  private volatile EventExecutor executor;
  private volatile WriteScheduler writeScheduler;

  // Written on the executor, read by other threads.
  private volatile State state = State.NEW;
  private volatile HttpTransportType transportType;
  private volatile HubProtocol protocol;
  private volatile boolean stateful;
  private volatile boolean closing;

  // Hosts whose requests arrive on other threads than the connection's executor (the host seam)
  // claim the first transport here, atomically, before attaching it.
  private volatile HttpTransportType claimed;
  private volatile Transport first; // the first transport attached (set before the hop)
  private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<
          ServerConnection, HttpTransportType>
      CLAIMED =
          java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(
              ServerConnection.class, HttpTransportType.class, "claimed");

  // The executor's own.
  private Transport transport;
  private long transportAttachedAt;
  private long lastPingSentAt = System.nanoTime();
  private long inactiveSince;

  ServerConnection(
      HubEndpoint endpoint,
      String connectionId,
      String connectionToken,
      HubUser user,
      boolean statefulNegotiated) {
    this.endpoint = endpoint;
    this.options = endpoint.options();
    this.connectionId = connectionId;
    this.connectionToken = connectionToken;
    this.user = user;
    this.statefulNegotiated = statefulNegotiated;
    this.authenticationExpiresAt =
        options.closeOnAuthenticationExpiration() && user != null
            ? user.expiration().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE)
            : Long.MAX_VALUE;
    this.serial =
        SerialExecutor.failWhenRejected(
            endpoint.executor(),
            1, // one task per hand-over: a connection's invocations never hold a thread in a row
            ServerBusyException::new,
            e -> log.warn("A task of connection {} failed", connectionId, e));
    this.uploads = new UploadStreams(options.streamBufferCapacity(), endpoint.executor());
    this.callerClients =
        new Proxies.CallerClients(endpoint.lifetimeManager(), connectionId, options);
    this.groupManager = new Proxies.Groups(endpoint.lifetimeManager());
    this.outbound =
        new OutboundQueue(options.outboundBufferLimit(), options.statefulReconnectBufferSize());
    this.handler = endpoint.handler();
    this.gate = new ReadGate(this, options);
    this.inbound = handler.newInbound();
  }

  // ------------------------------------------------------------------ accessors

  @Override
  public String connectionId() {
    return connectionId;
  }

  public String connectionToken() {
    return connectionToken;
  }

  @Override
  public HubUser user() {
    return user;
  }

  @Override
  public String userIdentifier() {
    return user == null ? null : user.id();
  }

  @Override
  public HubProtocol protocol() {
    return protocol;
  }

  public State state() {
    return state;
  }

  public HttpTransportType transportType() {
    return transportType;
  }

  public boolean isStateful() {
    return stateful;
  }

  public boolean isStatefulNegotiated() {
    return statefulNegotiated;
  }

  public boolean isClosing() {
    return closing;
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
    return callerContext;
  }

  @Override
  public HubCallerClients callerClients() {
    return callerClients;
  }

  @Override
  public GroupManager groupManager() {
    return groupManager;
  }

  /** Executor: parses what was held at the invocation queue's bound; true when there is room. */
  boolean resumeParsing() {
    return handler.resumeParsing(this);
  }

  /** Executor: the hub handler's parsing state of this connection. */
  HubInbound inbound() {
    return inbound;
  }

  /** The caller context's items: what hub methods keep for the connection's lifetime. */
  ConcurrentMap<Object, Object> items() {
    return items;
  }

  UploadStreams uploads() {
    return uploads;
  }

  /** Completes when the connection has ended (after onDisconnected). */
  public CompletableFuture<Void> closedFuture() {
    return closed;
  }

  /** The event loop that owns this connection's state; null until a transport attached. */
  EventExecutor executor() {
    return executor;
  }

  /** Executor: the current transport (the long-polling request handler hands it the next poll). */
  public Transport transport() {
    return transport;
  }

  /** The queue its transports drain. */
  public OutboundQueue outbound() {
    return outbound;
  }

  /**
   * Runs {@code task} on the executor: at once when called there, or before any transport attached
   * (nothing else runs then), else queued there, in order.
   */
  private void onExecutor(Runnable task) {
    EventExecutor e = executor;
    if (e == null || e.inEventLoop()) {
      task.run();
      return;
    }
    try {
      e.execute(task);
    } catch (RejectedExecutionException stopping) {
      task.run(); // the server is stopping and its event loop is gone: nothing else runs there
    }
  }

  // ------------------------------------------------------------------ transports

  /**
   * Claims the connection for its first transport, for hosts that decide on other threads than the
   * connection's executor (the host seam): true when this call made {@code type} the connection's
   * transport; false when a transport (of any type) was claimed or attached before.
   */
  public boolean claimFirstTransport(HttpTransportType type) {
    return transportType == null && CLAIMED.compareAndSet(this, null, type);
  }

  /** The transport type claimed or attached, or null. */
  public HttpTransportType claimedTransport() {
    HttpTransportType t = claimed;
    return t != null ? t : transportType;
  }

  /** The first transport attached (visible at once to every thread), or null. */
  public Transport firstTransport() {
    return first;
  }

  /** Attaches the first transport; called on its event loop, which becomes the executor. */
  public void attach(Transport t) {
    if (executor == null) {
      writeScheduler = endpoint.writeScheduler(t.eventLoop());
      executor = t.eventLoop();
      first = t;
    }
    onExecutor(
        () -> {
          transport = t;
          transportType = t.type();
          transportAttachedAt = System.nanoTime();
          state = State.ACTIVE;
          scheduleDrain();
        });
  }

  /** {@code DELETE} from a long-polling client: ends at once; a pending poll gets 204. */
  public void deleteLongPolling() {
    onExecutor(
        () -> {
          closing = true;
          Transport t = transport;
          if (t != null) {
            t.abort();
          }
          dispose();
        });
  }

  /** Executor (long polling): a poll arrived (ACTIVE) or ended (INACTIVE). */
  @Override
  public void setPollActive(boolean active) {
    if (state == State.CLOSED) {
      return;
    }
    if (active) {
      state = State.ACTIVE;
    } else {
      inactiveSince = System.nanoTime();
      state = State.INACTIVE;
    }
  }

  /**
   * Stateful reconnect: a new socket replaces the one that dropped. Sends Sequence and then every
   * unacknowledged message, in order; nothing else that was queued is lost, since every trackable
   * message is in the replay buffer. The new socket may be on another event loop: the connection
   * stays on its executor, and Netty hands the drains' writes to the socket's loop.
   */
  public void reattach(Transport t) {
    onExecutor(
        () -> {
          if (closing || state == State.CLOSED) {
            t.abort();
            return;
          }
          Transport old = transport;
          // Switch first: the old socket's close (below) must be seen as stale by
          // transportClosed, not as the end of this connection.
          transport = t;
          if (old != null && old != t) {
            old.abort();
          }
          outbound.rewind(id -> protocol.toBytes(new SequenceMessage(id)));
          inbound.resumed();
          state = State.ACTIVE;
          scheduleDrain();
        });
  }

  /**
   * The transport ended. A stateful connection whose socket dropped without a close waits
   * (INACTIVE) for a reconnect for the disconnect timeout; otherwise the connection ends.
   */
  @Override
  public void transportClosed(Transport t, boolean graceful, Throwable error) {
    onExecutor(
        () -> {
          if (transport != t || state == State.CLOSED) {
            return;
          }
          if (!graceful && stateful && !closing && t.supportsStatefulReconnect()) {
            inactiveSince = System.nanoTime();
            state = State.INACTIVE;
            log.debug("Connection {} lost its socket; awaiting a stateful reconnect", connectionId);
            return;
          }
          terminate(graceful || closing ? null : error);
        });
  }

  /** Called by a transport whose socket became writable again (any thread). */
  @Override
  public void writable() {
    if (state == State.ACTIVE && outbound.claimDrain()) {
      writeScheduler.schedule(this);
    }
  }

  /** Executor: asks for a drain, unless one is already pending. */
  private void scheduleDrain() {
    if (state == State.ACTIVE && writeScheduler != null && outbound.claimDrain()) {
      writeScheduler.schedule(this);
    }
  }

  /**
   * Executor (the write scheduler, a long poll): hands what is queued to the transport, which polls
   * the {@link OutboundQueue} until it is empty or the socket stops being writable.
   */
  @Override
  public void drain() {
    outbound.drainStarted();
    Transport t = transport;
    if (t != null && state == State.ACTIVE) {
      t.drain();
      outbound.drainFinished(t.pendingWriteBytes());
    }
  }

  /** Executor: hub messages sent since the last call (the heartbeat reports them). */
  int takeSentCount() {
    return outbound.takeSentCount();
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
    return enqueue(message.bytes(p), trackable, false, batch);
  }

  private boolean enqueue(byte[] bytes, boolean trackable, boolean force) {
    return enqueue(bytes, trackable, force, null);
  }

  private boolean enqueue(
      byte[] bytes, boolean trackable, boolean force, WriteScheduler.Batch batch) {
    State s = state;
    if (s == State.CLOSED || (closing && !force)) {
      return false;
    }
    OutboundQueue.Overflow overflow = outbound.offer(bytes, trackable, force, s == State.INACTIVE);
    if (overflow != null) {
      if (overflow != OutboundQueue.Overflow.REFUSED) {
        onExecutor(() -> overflowed(overflow));
      }
      return false;
    }
    // Offered first, claimed second: see OutboundQueue.
    if (state == State.ACTIVE && outbound.claimDrain()) {
      writeScheduler.schedule(this, batch);
    }
    return true;
  }

  /** Executor: a message did not fit; the connection ends. */
  private void overflowed(OutboundQueue.Overflow kind) {
    if (closing || state == State.CLOSED) {
      return;
    }
    if (kind == OutboundQueue.Overflow.WHILE_DISCONNECTED) {
      log.info(
          "Connection {}: more than {} unacknowledged bytes while disconnected; closing it",
          connectionId,
          options.statefulReconnectBufferSize());
      closing = true;
      Transport t = transport;
      if (t != null) {
        t.abort();
      }
      terminate(new HubException("Stateful reconnect buffer limit exceeded while disconnected"));
      return;
    }
    String reason;
    if (kind == OutboundQueue.Overflow.UNACKNOWLEDGED) {
      log.warn(
          "Connection {} does not acknowledge messages (stateful reconnect buffer {} B full,"
              + " outbound buffer limit {} B reached); closing it",
          connectionId,
          options.statefulReconnectBufferSize(),
          options.outboundBufferLimit());
      reason =
          "Connection closed with an error. The client did not acknowledge the messages it"
              + " received (stateful reconnect buffer full).";
    } else {
      log.warn(
          "Connection {} is not reading fast enough (outbound buffer limit {} B); closing it",
          connectionId,
          options.outboundBufferLimit());
      reason = "Connection closed with an error. The client is not reading messages fast enough.";
    }
    outbound.clear();
    close(reason, true, new HubException("Outbound buffer limit exceeded"));
  }

  // ------------------------------------------------------------------ close

  /** Bytes waiting in the outbound queue. */
  long outboundQueuedBytes() {
    return outbound.queuedBytes();
  }

  /** {@link System#nanoTime()} when the connection was created (negotiated). */
  long createdAtNanos() {
    return createdAt;
  }

  /** Why the connection ended (null for a normal close), once it has. */
  Throwable terminateCause() {
    return terminateCause;
  }

  /** Ends the connection with a Close message (error null for a normal close). */
  @Override
  public void close(String error, boolean allowReconnect) {
    close(error, allowReconnect, error == null ? null : new HubException(error));
  }

  /** Ends the connection with a Close message; any thread. */
  void close(String error, boolean allowReconnect, Throwable cause) {
    onExecutor(
        () -> {
          if (closing || state == State.CLOSED) {
            return;
          }
          closing = true;
          if (inbound.handshakeDone()) {
            enqueue(protocol.toBytes(new CloseMessage(error, allowReconnect)), false, true);
          }
          endTransport();
          terminate(cause);
        });
  }

  /** Executor: the client sent Close; answer with Close and end. */
  void closedByClient(String error) {
    closing = true;
    enqueue(protocol.toBytes(CloseMessage.EMPTY), false, true);
    endTransport();
    terminate(error == null ? null : new HubException(error));
  }

  /** Executor: writes out what is queued (the Close message, say), then ends the transport. */
  private void endTransport() {
    Transport t = transport;
    if (t == null || state != State.ACTIVE) {
      return;
    }
    drain();
    t.end();
  }

  /**
   * Executor: the final step, once: streams stopped, lifetime manager and hub told, unregistered.
   */
  void terminate(Throwable cause) {
    if (!terminated.compareAndSet(false, true)) {
      return;
    }
    terminateCause = cause;
    closing = true;
    endpoint.admissionEnded(this);
    boolean wasConnected = inbound.handshakeDone();
    Transport t = transport;
    if (t == null || !t.holdsConnectionUntilCollected()) {
      state = State.CLOSED;
      endpoint.remove(this);
    }
    activeStreams.cancelAll();
    uploads.failAll();
    gate.connectionEnded();
    if (!wasConnected) {
      closed.complete(null);
      return;
    }
    handler.disconnected(this, cause).whenComplete((v, e) -> closed.complete(null));
  }

  /** Created for an admitted request: holds its admission. */
  void holdAdmission() {
    admissionPhase.compareAndSet(ADMISSION_NONE, ADMISSION_HELD);
  }

  /** Marks the admission connected; false when the connection already ended. */
  boolean connectAdmission() {
    for (; ; ) {
      int phase = admissionPhase.get();
      if (phase == ADMISSION_ENDED || phase == ADMISSION_CONNECTED) {
        return false;
      }
      if (admissionPhase.compareAndSet(phase, ADMISSION_CONNECTED)) {
        return true;
      }
    }
  }

  /** Ends the admission; returns the phase it was in. */
  int endAdmission() {
    return admissionPhase.getAndSet(ADMISSION_ENDED);
  }

  @Override
  public boolean endedAfterStart() {
    return closing && state != State.NEW;
  }

  /** Executor (long polling): the last data went out and the client was told 204; forget it. */
  @Override
  public void dispose() {
    state = State.CLOSED;
    endpoint.remove(this);
    if (!terminated.get()) {
      terminate(null);
    }
  }

  // ------------------------------------------------------------------ inbound

  /**
   * Bytes from the client (a WebSocket frame or a POST body), in order; processed on the executor
   * (copied first when they arrive on another thread). Never blocks on I/O.
   *
   * @return false when the connection is closed
   */
  @Override
  public boolean receive(ByteBuffer bytes) {
    return receive(bytes, null);
  }

  /**
   * {@link #receive(ByteBuffer)}, then {@code taken} (on the executor) once the bytes were taken
   * in: at once, or when reading resumes if the invocation queue is at its bound (a POST is
   * answered then, which is the back-pressure of the HTTP transports), or when the connection ends.
   */
  @Override
  public boolean receive(ByteBuffer bytes, Runnable taken) {
    if (state == State.CLOSED || closing) {
      return false;
    }
    EventExecutor e = executor;
    if (e == null || e.inEventLoop()) {
      receiveHere(bytes, taken);
      return true;
    }
    ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
    copy.put(bytes).flip();
    onExecutor(() -> receiveHere(copy, taken));
    return true;
  }

  private void receiveHere(ByteBuffer bytes, Runnable taken) {
    if (state != State.CLOSED && !closing) {
      gate.receiving(true);
      handler.receive(this, bytes);
      gate.receiving(false);
    }
    if (taken != null) {
      gate.whenTaken(taken, state != State.CLOSED && !closing);
    }
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
   * Executor, from the handler: the handshake succeeded with {@code p}. Answers it, turns stateful
   * reconnect on when negotiated, asked for (version 2) and possible on this transport, and runs
   * the lifetime manager's and the hub's onConnected before any invocation.
   *
   * @return for a stateful connection, its message buffer (the handler numbers the inbound side,
   *     the outbound queue the outbound side, both on the executor), else null
   */
  MessageBuffer<byte[]> handshakeCompleted(HubProtocol p, int version) {
    this.protocol = p;
    outbound.binary(p.transferFormat() == TransferFormat.Binary);
    endpoint.sentCounter(p); // the metric exists from the first connection on
    MessageBuffer<byte[]> buffer = null;
    if (statefulNegotiated && version >= 2 && transport.supportsStatefulReconnect()) {
      buffer = MessageBuffer.ofBytes(options.statefulReconnectBufferSize());
      outbound.enableReplay(buffer);
      stateful = true;
    }
    enqueue(HandshakeProtocol.writeResponse(HandshakeResponse.SUCCESS), false, false);
    lastPingSentAt = System.nanoTime();
    return buffer;
  }

  /** Executor: the handshake failed; the client gets the error as text, then the end. */
  void failHandshake(String error) {
    closing = true;
    enqueue(HandshakeProtocol.writeResponse(new HandshakeResponse(error)), false, true);
    endTransport();
    terminate(null);
  }

  /** Executor: the client acknowledged; messages held back for a full replay buffer may go. */
  void acknowledged(long sequenceId) {
    if (outbound.ack(sequenceId)) {
      scheduleDrain();
    }
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
   * Executor (or the heartbeat before any transport): about once a second, pings, acks, and every
   * timeout.
   */
  void tick(long now) {
    State s = state;
    if (s == State.CLOSED) {
      return;
    }
    if (s == State.NEW) {
      if (now - createdAt > options.disconnectTimeout().toNanos()) {
        log.debug("Connection {} never got a transport; removing it", connectionId);
        dispose();
      }
      return;
    }
    if (s == State.INACTIVE) {
      if (now - inactiveSince > options.disconnectTimeout().toNanos()) {
        log.debug("Connection {} inactive past the disconnect timeout; removing it", connectionId);
        closing = true;
        Transport t = transport;
        if (t != null) {
          t.abort();
        }
        state = State.CLOSED;
        endpoint.remove(this);
        terminate(
            terminated.get()
                ? null
                : new TimeoutException("The connection was inactive past the disconnect timeout."));
      }
      return;
    }
    if (!inbound.handshakeDone()) {
      if (!closing && now - transportAttachedAt > options.handshakeTimeout().toNanos()) {
        failHandshake("Handshake was canceled.");
      }
      return;
    }
    if (closing) {
      return;
    }
    if (authenticationExpiresAt != Long.MAX_VALUE
        && System.currentTimeMillis() >= authenticationExpiresAt) {
      log.debug("Connection {}: authentication expired", connectionId);
      close(
          "Connection closed with an error. The authentication expired.",
          true,
          new HubException("The authentication expired."));
      return;
    }
    long ack = inbound.takeAck();
    if (ack >= 0) {
      enqueue(protocol.toBytes(new AckMessage(ack)), false, false);
    }
    if (!transport.needsKeepAlive()) {
      return;
    }
    if (now - lastPingSentAt >= options.keepAliveInterval().toNanos()) {
      lastPingSentAt = now;
      enqueue(protocol.toBytes(PingMessage.INSTANCE), false, false);
    }
    // While the server does not read (the invocation bound), the client's Pings wait unread: as
    // ASP.NET Core stops the client timeout while it dispatches, that silence does not count.
    if (!gate.paused() && inbound.timedOut(now, options.clientTimeout().toNanos())) {
      log.debug("Connection {}: client timeout", connectionId);
      close(
          "Connection closed with an error.",
          true,
          new TimeoutException(
              "Client hasn't sent a message/ping within the configured client timeout."));
    }
  }

  @Override
  public String toString() {
    return "ServerConnection[" + connectionId + ", " + transportType + ", " + state + "]";
  }
}
