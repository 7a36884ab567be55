package org.jvmchat.hub.internal.hub;

import io.netty.util.concurrent.EventExecutor;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.connection.OutboundQueue;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.internal.transport.LoopFlush;
import org.jvmchat.hub.internal.transport.SharedFrames;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.internal.transport.TransportConnection;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.internal.MessageBuffer;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SignalR connection at the transport level, independent of the transport carrying it (ASP.NET
 * Core's {@code HttpConnectionContext}): created by negotiate (or a WebSocket without negotiation),
 * it outlives each HTTP request (long polling) and each socket (stateful reconnect). It keeps only
 * which transport carries it, the state machine (new, active, inactive, closed), the outbound queue
 * and the transport-level timeouts (the disconnect timeout of a connection without a transport or
 * between long polls / sockets); everything of the hub (handshake, protocol, keep-alive and client
 * timeout, caller context, streams, uploads, the serial executor) is its {@link
 * DefaultHubConnectionContext}, owned by the hub's {@link HubConnectionHandler}. What it is told,
 * it hands on, one way:
 *
 * <ul>
 *   <li>its transport hands it the client's bytes and events ({@link TransportConnection}) and
 *       drains its {@link OutboundQueue}, which the connection never polls itself;
 *   <li>it hands the bytes, the heartbeat and its end to its {@link ConnectionApplication} (the
 *       hub's handler bound to this connection), which sees it only as a {@link ConnectionView};
 *   <li>the write scheduler sees it as a {@link WriteScheduler.Drainable}, its hub as an {@link
 *       Owner}.
 * </ul>
 *
 * <p><b>Threads.</b> The connection's mutable state belongs to one Netty event loop, its
 * <em>executor</em>: the event loop of its first transport (a WebSocket's or SSE stream's channel,
 * the first long poll's). Fields marked "executor" are touched only there and need no
 * synchronization. Entry points that other threads call hop onto the executor: {@link #receive} (a
 * POST body on another HTTP connection, a socket that a stateful reconnect opened on another loop),
 * {@link #close}, {@link #reattach}, {@link #transportClosed}, {@link #deleteLongPolling}; the
 * heartbeat ticks every connection of an executor in one task per loop. Writes ({@link #enqueue})
 * do not hop: they go through the {@link OutboundQueue}'s lock-free hand-off, and the connection is
 * put on its executor's {@link WriteScheduler} once per drain. The few fields other threads read
 * (state, transport type, closing, stateful) are volatile and written on the executor only.
 */
public final class ServerConnection
    implements TransportConnection, WriteScheduler.Drainable, ConnectionView {
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

  /** What the connection needs of its hub: the write schedulers, and to be told of its end. */
  interface Owner {
    /** The write scheduler of {@code eventLoop}. */
    WriteScheduler writeScheduler(EventExecutor eventLoop);

    /** The connection's end, once, at the start of its termination (its admission). */
    void admissionEnded(ServerConnection connection);

    /** The connection is gone: unregister it. */
    void remove(ServerConnection connection);
  }

  private final Owner owner;
  private final HubOptions options;
  private final String connectionId;
  private final String connectionToken;
  private final HubUser user;
  private final boolean statefulNegotiated;
  private final boolean adopted;
  private final ConnectionApplication application; // the hub's handler, bound to this connection
  private final OutboundQueue outbound;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  // Plain volatile ints behind field updaters, not Atomic* objects: one object fewer each per
  // connection (see the hub-core README, "What a connection holds").
  private volatile int terminated; // 0, then 1 once terminate ran
  private static final AtomicIntegerFieldUpdater<ServerConnection> TERMINATED =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "terminated");
  // Where the connection is in its admission's life (see ConnectionAdmission): any thread.
  static final int ADMISSION_NONE = 0;
  static final int ADMISSION_HELD = 1;
  static final int ADMISSION_CONNECTED = 2;
  static final int ADMISSION_ENDED = 3;
  private volatile int admissionPhase = ADMISSION_NONE;
  private static final AtomicIntegerFieldUpdater<ServerConnection> ADMISSION_PHASE =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "admissionPhase");
  private final long createdAt = System.nanoTime();
  private volatile Throwable terminateCause;

  // Set once by the first attach, before the state becomes ACTIVE; read by any thread.
  private volatile EventExecutor executor;
  private volatile WriteScheduler writeScheduler;

  // Written on the executor, read by other threads.
  private volatile State state = State.NEW;
  private volatile HttpTransportType transportType;
  private volatile boolean stateful;
  private volatile boolean closing;

  // Hosts whose requests arrive on other threads than the connection's executor (the host seam)
  // claim the first transport here, atomically, before attaching it.
  private volatile HttpTransportType claimed;
  private volatile Transport first; // the first transport attached (set before the hop)
  private static final AtomicReferenceFieldUpdater<ServerConnection, HttpTransportType> CLAIMED =
      AtomicReferenceFieldUpdater.newUpdater(
          ServerConnection.class, HttpTransportType.class, "claimed");

  // The executor's own.
  private Transport transport;
  private long transportAttachedAt;
  private long inactiveSince;

  /**
   * A connection of the hub {@code owner}; {@code application} binds the hub's handler to it (the
   * hub side of the connection, which sees it as a {@link ConnectionView}).
   */
  ServerConnection(
      Owner owner,
      HubOptions options,
      String connectionId,
      String connectionToken,
      HubUser user,
      boolean statefulNegotiated,
      boolean adopted,
      Function<ConnectionView, ConnectionApplication> application) {
    this.owner = owner;
    this.adopted = adopted;
    this.options = options;
    this.connectionId = connectionId;
    this.connectionToken = connectionToken;
    this.user = user;
    this.statefulNegotiated = statefulNegotiated;
    this.outbound =
        new OutboundQueue(options.outboundBufferLimit(), options.statefulReconnectBufferSize());
    this.application = application.apply(this);
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

  /** The hub's state of this connection, as lifetime managers write to it. */
  HubConnectionContext hubContext() {
    return application.context();
  }

  /** The protocol of the handshake, or null before it. */
  public HubProtocol protocol() {
    return application.protocol();
  }

  public State state() {
    return state;
  }

  @Override
  public HttpTransportType transportType() {
    return transportType;
  }

  public boolean isStateful() {
    return stateful;
  }

  @Override
  public boolean isStatefulNegotiated() {
    return statefulNegotiated;
  }

  @Override
  public boolean isAdopted() {
    return adopted;
  }

  @Override
  public boolean isClosing() {
    return closing;
  }

  @Override
  public boolean isEnded() {
    return closing || state == State.CLOSED;
  }

  @Override
  public long transportAttachedAt() {
    return transportAttachedAt;
  }

  /** Completes when the connection has ended (after onDisconnected). */
  public CompletableFuture<Void> closedFuture() {
    return closed;
  }

  /** The event loop that owns this connection's state; null until a transport attached. */
  @Override
  public EventExecutor executor() {
    return executor;
  }

  /** Executor: the current transport (the long-polling request handler hands it the next poll). */
  @Override
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
  @Override
  public void onExecutor(Runnable task) {
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
      writeScheduler = owner.writeScheduler(t.eventLoop());
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
          outbound.rewind(application::sequenceMessage);
          application.reattached();
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
  public boolean enqueue(
      byte[] bytes, boolean trackable, boolean force, WriteScheduler.Batch batch) {
    State s = state;
    if (s == State.CLOSED || (closing && !force)) {
      return false;
    }
    WriteScheduler w = writeScheduler;
    if (trackable && !force && w != null && w.broadcastsPending()) {
      // A broadcast on its way to this loop may write to the socket directly: a hub message must
      // not overtake it, so it follows it through the loop's ready queue.
      w.follow(() -> offer(bytes, true, false, null), batch);
      return true;
    }
    return offer(bytes, trackable, force, batch);
  }

  /**
   * Executor, in a broadcast's delivery: queues a hub message without following pending broadcasts
   * (it is one of them, in its place).
   */
  @Override
  public boolean enqueueInOrder(byte[] bytes, WriteScheduler.Batch batch) {
    return offer(bytes, true, false, batch);
  }

  private boolean offer(
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

  @Override
  public void afterPendingBroadcasts(Runnable task) {
    WriteScheduler w = writeScheduler;
    if (w != null && w.broadcastsPending()) {
      w.follow(task, null); // on the same loop as the executor: the scheduler is the executor's
    } else {
      onExecutor(task);
    }
  }

  @Override
  public WriteScheduler writeScheduler() {
    return writeScheduler;
  }

  /**
   * Executor (a broadcast's task on this loop): the shared frame goes out directly only when it
   * cannot overtake anything (nothing queued) and nothing per connection is needed (no replay
   * buffer: a stateful connection takes the queue, which numbers and keeps each message).
   */
  @Override
  public boolean writeShared(SharedFrames frames, HubProtocol protocol, LoopFlush flush) {
    Transport t = transport;
    if (t == null || state != State.ACTIVE || closing || stateful || outbound.hasQueued()) {
      return false;
    }
    if (!t.writeShared(frames, protocol, flush)) {
      outbound.transportPending(t.pendingWriteBytes());
      return false;
    }
    outbound.countSent();
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
    application.close(reason, true, new HubException("Outbound buffer limit exceeded"));
  }

  @Override
  public void startProtocol(boolean binary, MessageBuffer<byte[]> replay) {
    outbound.binary(binary);
    if (replay != null) {
      outbound.enableReplay(replay);
      stateful = true;
    }
  }

  @Override
  public void holdOutput() {
    outbound.hold();
  }

  @Override
  public void releaseOutput() {
    onExecutor(
        () -> {
          if (outbound.release()) {
            scheduleDrain();
          }
        });
  }

  @Override
  public void acknowledged(long sequenceId) {
    if (outbound.ack(sequenceId)) {
      scheduleDrain();
    }
  }

  // ------------------------------------------------------------------ close

  /** Bytes waiting in the outbound queue. */
  long outboundQueuedBytes() {
    return outbound.queuedBytes();
  }

  @Override
  public long createdAtNanos() {
    return createdAt;
  }

  @Override
  public Throwable terminateCause() {
    return terminateCause;
  }

  /** Ends the connection with a Close message (error null for a normal close); any thread. */
  public void close(String error, boolean allowReconnect) {
    close(error, allowReconnect, error == null ? null : new HubException(error));
  }

  /** Ends the connection with a Close message (once the handshake was done); any thread. */
  public void close(String error, boolean allowReconnect, Throwable cause) {
    application.close(error, allowReconnect, cause);
  }

  @Override
  public boolean beginClose() {
    if (closing || state == State.CLOSED) {
      return false;
    }
    closing = true;
    return true;
  }

  @Override
  public void markClosing() {
    closing = true;
  }

  @Override
  public void endTransport() {
    outbound.release(); // the handshake answer and what followed it go before the end
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
  @Override
  public void terminate(Throwable cause) {
    if (!TERMINATED.compareAndSet(this, 0, 1)) {
      return;
    }
    terminateCause = cause;
    closing = true;
    owner.admissionEnded(this);
    Transport t = transport;
    if (t == null || !t.holdsConnectionUntilCollected()) {
      state = State.CLOSED;
      owner.remove(this);
    }
    application.ended(cause).whenComplete((v, e) -> closed.complete(null));
  }

  /** Created for an admitted request: holds its admission. */
  void holdAdmission() {
    ADMISSION_PHASE.compareAndSet(this, ADMISSION_NONE, ADMISSION_HELD);
  }

  /** Marks the admission connected; false when the connection already ended. */
  @Override
  public boolean connectAdmission() {
    for (; ; ) {
      int phase = admissionPhase;
      if (phase == ADMISSION_ENDED || phase == ADMISSION_CONNECTED) {
        return false;
      }
      if (ADMISSION_PHASE.compareAndSet(this, phase, ADMISSION_CONNECTED)) {
        return true;
      }
    }
  }

  /** Ends the admission; returns the phase it was in. */
  int endAdmission() {
    return ADMISSION_PHASE.getAndSet(this, ADMISSION_ENDED);
  }

  @Override
  public boolean endedAfterStart() {
    return closing && state != State.NEW;
  }

  /** Executor (long polling): the last data went out and the client was told 204; forget it. */
  @Override
  public void dispose() {
    state = State.CLOSED;
    owner.remove(this);
    if (terminated == 0) {
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
    application.received(bytes, taken);
  }

  // ------------------------------------------------------------------ heartbeat

  /**
   * Executor (or the heartbeat before any transport): about once a second, the disconnect timeout
   * of a connection without a transport; while a transport is attached, the hub side's timeouts.
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
        owner.remove(this);
        terminate(
            terminated != 0
                ? null
                : new TimeoutException("The connection was inactive past the disconnect timeout."));
      }
      return;
    }
    application.tick(now);
  }

  @Override
  public String toString() {
    return "ServerConnection[" + connectionId + ", " + transportType + ", " + state + "]";
  }
}
