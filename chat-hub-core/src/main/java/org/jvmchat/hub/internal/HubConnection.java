package org.jvmchat.hub.internal;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubCallerContext;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.dispatch.ActiveStreams;
import org.jvmchat.hub.internal.dispatch.HubDispatcher;
import org.jvmchat.hub.internal.dispatch.UploadStream;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.protocol.StreamBindingFailureMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SignalR connection, independent of the transport carrying it: created by negotiate (or a
 * WebSocket without negotiation), it outlives each HTTP request (long polling) and each socket
 * (stateful reconnect). It does the connection's life: handshake, the read-parse-dispatch loop,
 * keep-alive and timeouts, the outbound queue, close, disconnect.
 *
 * <p>Threads: inbound bytes are processed under {@code inboundLock} (one transport request at a
 * time); outbound messages may be written from any thread and are queued under {@code outLock},
 * then written by the transport on its event loop, one flush per drain.
 */
public final class HubConnection implements HubConnectionContext {
  private static final Logger log = LoggerFactory.getLogger(HubConnection.class);

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
  private final Map<String, UploadStream> uploadStreams = new ConcurrentHashMap<>();
  private final Map<String, Type> uploadStreamTypes = new ConcurrentHashMap<>();
  private final CallerContext callerContext = new CallerContext();
  private final HubCallerClients callerClients;
  private final GroupManager groupManager;

  // Inbound state, under inboundLock.
  private final Object inboundLock = new Object();
  // Never written: a partial handshake is copied into a buffer of its own.
  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0).asReadOnlyBuffer();
  private ByteBuffer handshakeBuffer = NO_BYTES;
  private HubMessageReader reader;
  private long nextExpectedId = 1;
  private long latestProcessedId;
  private volatile boolean ackDue;

  // Outbound state, under outLock. The queue holds byte[] (trackable messages, numbered for
  // stateful reconnect when they are written) and Untracked (pings, acks, closes, handshake).
  private final Object outLock = new Object();
  private final ArrayDeque<Object> outbound = new ArrayDeque<>();
  private long queuedBytes;
  private ReplayBuffer replay;
  private boolean drainPending;
  private int sentSinceReport;
  private volatile WriteScheduler writeScheduler;

  /** A message that is not numbered for stateful reconnect (not a hub invocation message). */
  private record Untracked(byte[] bytes) {}

  private volatile State state = State.NEW;
  private volatile Transport transport;
  private volatile HttpTransportType transportType;
  private volatile HubProtocol protocol;
  private volatile boolean handshakeDone;
  private volatile boolean stateful;
  private volatile boolean closing;
  private final AtomicBoolean terminated = new AtomicBoolean();
  private volatile boolean pingReceived;
  private final long createdAt = System.nanoTime();
  private volatile long transportAttachedAt;
  private volatile long lastReceivedAt = System.nanoTime();
  private volatile long lastPingSentAt = System.nanoTime();
  private volatile long inactiveSince;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  HubConnection(
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
    this.serial = new SerialExecutor(endpoint.executor());
    this.callerClients =
        new Proxies.CallerClients(endpoint.lifetimeManager(), connectionId, options);
    this.groupManager = new Proxies.Groups(endpoint.lifetimeManager());
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

  public SerialExecutor serial() {
    return serial;
  }

  public ActiveStreams activeStreams() {
    return activeStreams;
  }

  public HubCallerContext callerContext() {
    return callerContext;
  }

  public HubCallerClients callerClients() {
    return callerClients;
  }

  public GroupManager groupManager() {
    return groupManager;
  }

  /** Completes when the connection has ended (after onDisconnected). */
  public CompletableFuture<Void> closedFuture() {
    return closed;
  }

  // ------------------------------------------------------------------ transports

  /** Attaches the first transport. */
  public void attach(Transport t) {
    this.transportType = t.type();
    this.writeScheduler = endpoint.writeScheduler(t.eventLoop());
    this.transport = t;
    this.transportAttachedAt = System.nanoTime();
    this.state = State.ACTIVE;
    scheduleDrain();
  }

  public Transport currentTransport() {
    return transport;
  }

  /** {@code DELETE} from a long-polling client: ends at once; a pending poll gets 204. */
  public void deleteLongPolling() {
    closing = true;
    Transport t = transport;
    if (t != null) {
      t.abort();
    }
    dispose();
  }

  /** A long poll arrived (ACTIVE) or ended (INACTIVE). */
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
   * message is in the replay buffer.
   */
  public void reattach(Transport t) {
    Transport old = this.transport;
    this.writeScheduler = endpoint.writeScheduler(t.eventLoop());
    // Switch first: the old socket's close (below) must be seen as stale by transportClosed,
    // not as the end of this connection.
    this.transport = t;
    if (old != null && old != t) {
      old.abort();
    }
    synchronized (outLock) {
      // Sequence, then every message written but not acknowledged (numbered again as they are
      // replayed), then what was never written; pings and acks queued for the old socket go.
      ArrayDeque<Object> unsent = new ArrayDeque<>(outbound);
      outbound.clear();
      queuedBytes = 0;
      queue(new Untracked(protocol.toBytes(new SequenceMessage(replay.sequenceId()))));
      for (byte[] m : replay.takeUnacknowledged()) {
        queue(m);
      }
      for (Object m : unsent) {
        if (!(m instanceof Untracked)) {
          queue(m);
        }
      }
    }
    this.state = State.ACTIVE;
    this.lastReceivedAt = System.nanoTime();
    scheduleDrain();
  }

  /**
   * The transport ended. For a stateful connection whose socket dropped without a close, the
   * connection waits (INACTIVE) for a reconnect for the disconnect timeout; otherwise it ends.
   */
  public void transportClosed(Transport t, boolean graceful, Throwable error) {
    if (transport != t || state == State.CLOSED) {
      return;
    }
    if (!graceful && stateful && !closing) {
      inactiveSince = System.nanoTime();
      state = State.INACTIVE;
      log.debug("Connection {} lost its socket; awaiting a stateful reconnect", connectionId);
      return;
    }
    terminate(graceful || closing ? null : error);
  }

  /**
   * Called by a transport on its event loop: the next queued message, or null when nothing is
   * queued or (stateful reconnect) the next one would take the unacknowledged bytes past the replay
   * buffer's size: it then waits in the queue for the client's Ack.
   */
  public byte[] pollOutbound() {
    synchronized (outLock) {
      Object next = outbound.peek();
      if (next == null) {
        return null;
      }
      byte[] bytes;
      if (next instanceof Untracked u) {
        bytes = u.bytes();
      } else {
        if (stateful) {
          if (replayGateClosed()) {
            return null;
          }
          replay.add((byte[]) next);
        }
        bytes = (byte[]) next;
      }
      outbound.poll();
      queuedBytes -= bytes.length;
      return bytes;
    }
  }

  public boolean hasOutbound() {
    synchronized (outLock) {
      return !outbound.isEmpty();
    }
  }

  public boolean isClosing() {
    return closing;
  }

  /** The outbound format: text frames for JSON and before the handshake, binary for MessagePack. */
  public boolean binaryFrames() {
    HubProtocol p = protocol;
    return p != null && p.transferFormat() == TransferFormat.Binary;
  }

  /**
   * Under outLock: whether the next queued message waits for an Ack (the unacknowledged bytes plus
   * it would pass the replay buffer's size), i.e. the client, not the socket, holds the queue up.
   */
  private boolean replayGateClosed() {
    Object next = outbound.peek();
    if (!(next instanceof byte[] head)) {
      return false;
    }
    long unacknowledged = replay.bufferedBytes();
    return unacknowledged > 0
        && unacknowledged + head.length > options.statefulReconnectBufferSize();
  }

  /** Under outLock: appends to the queue. */
  private void queue(Object message) {
    outbound.add(message);
    queuedBytes += message instanceof Untracked u ? u.bytes().length : ((byte[]) message).length;
  }

  /**
   * Asks the transport's event loop to drain this connection, unless a drain is already pending:
   * many messages queued before the loop gets to it go out in one write.
   */
  private void scheduleDrain() {
    WriteScheduler scheduler = writeScheduler;
    if (scheduler == null || transport == null || state != State.ACTIVE) {
      return;
    }
    synchronized (outLock) {
      if (drainPending) {
        return;
      }
      drainPending = true;
    }
    scheduler.schedule(this);
  }

  /** On the event loop, from the write scheduler: hands what is queued to the transport. */
  void drainNow() {
    Transport current = transport;
    WriteScheduler scheduler = writeScheduler;
    if (current != null && scheduler != null && !current.eventLoop().inEventLoop()) {
      // A stateful reconnect moved the connection to another loop: drain there (still pending).
      scheduler.schedule(this);
      return;
    }
    synchronized (outLock) {
      drainPending = false;
    }
    if (current != null && state == State.ACTIVE) {
      current.drain();
    }
  }

  /**
   * Hub messages queued since the last call (the heartbeat adds them to the metrics about once a
   * second; counting per drain on the event loops cost more than the drain).
   */
  int takeSentCount() {
    synchronized (outLock) {
      int n = sentSinceReport;
      sentSinceReport = 0;
      return n;
    }
  }

  /** Called by a transport whose socket became writable again. */
  public void writable() {
    scheduleDrain();
  }

  // ------------------------------------------------------------------ outbound

  @Override
  public boolean write(SerializedHubMessage message) {
    return write(message, null);
  }

  /** A write of a broadcast: the event loop is woken when {@code batch} closes. */
  boolean write(SerializedHubMessage message, WriteScheduler.Batch batch) {
    HubProtocol p = protocol;
    if (p == null) {
      return false;
    }
    HubMessage m = message.message();
    boolean trackable = m == null || m instanceof HubInvocationMessage;
    return enqueue(message.bytes(p), trackable, false, batch);
  }

  private boolean enqueue(byte[] bytes, boolean trackable, boolean evenWhenClosing) {
    return enqueue(bytes, trackable, evenWhenClosing, null);
  }

  private boolean enqueue(
      byte[] bytes, boolean trackable, boolean evenWhenClosing, WriteScheduler.Batch batch) {
    Overflow overflow = null;
    boolean schedule = false;
    synchronized (outLock) {
      if (state == State.CLOSED || (closing && !evenWhenClosing)) {
        return false;
      }
      Transport t = transport;
      long pending = queuedBytes + (t == null ? 0 : t.pendingWriteBytes());
      if (stateful
          && trackable
          && state == State.INACTIVE
          && replay.bufferedBytes() + queuedBytes + bytes.length
              > options.statefulReconnectBufferSize()) {
        overflow = Overflow.WHILE_DISCONNECTED;
      } else if (pending + bytes.length > options.outboundBufferLimit() && !evenWhenClosing) {
        overflow = stateful && replayGateClosed() ? Overflow.UNACKNOWLEDGED : Overflow.SLOW_READER;
      } else {
        queue(trackable ? bytes : new Untracked(bytes));
        if (trackable) {
          sentSinceReport++;
        }
        if (!drainPending && state == State.ACTIVE && writeScheduler != null && t != null) {
          drainPending = true;
          schedule = true;
        }
      }
    }
    if (overflow != null) {
      overflow(overflow);
      return false;
    }
    if (schedule) {
      writeScheduler.schedule(this, batch);
    }
    return true;
  }

  /** Why a message did not fit. */
  private enum Overflow {
    /** Stateful, socket down: more unacknowledged bytes than the replay buffer holds. */
    WHILE_DISCONNECTED,
    /** The queue is full because the client does not acknowledge (the replay gate is closed). */
    UNACKNOWLEDGED,
    /** The queue is full because the client does not read. */
    SLOW_READER
  }

  private void overflow(Overflow kind) {
    if (kind == Overflow.WHILE_DISCONNECTED) {
      log.info(
          "Connection {}: more than {} unacknowledged bytes while disconnected; closing it",
          connectionId,
          options.statefulReconnectBufferSize());
      abortAfterOverflow();
      return;
    }
    String reason;
    if (kind == Overflow.UNACKNOWLEDGED) {
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
    synchronized (outLock) {
      outbound.clear();
      queuedBytes = 0;
    }
    close(reason, true, new HubException("Outbound buffer limit exceeded"));
  }

  private void abortAfterOverflow() {
    closing = true;
    Transport t = transport;
    if (t != null) {
      t.abort();
    }
    terminate(new HubException("Stateful reconnect buffer limit exceeded while disconnected"));
  }

  /** Ends the connection with a Close message (error null for a normal close). */
  @Override
  public void close(String error, boolean allowReconnect) {
    close(error, allowReconnect, error == null ? null : new HubException(error));
  }

  void close(String error, boolean allowReconnect, Throwable cause) {
    if (closing || state == State.CLOSED) {
      return;
    }
    closing = true;
    if (handshakeDone) {
      enqueue(protocol.toBytes(new CloseMessage(error, allowReconnect)), false, true);
    }
    endTransport();
    terminate(cause);
  }

  private void endTransport() {
    Transport t = transport;
    if (t == null || state != State.ACTIVE) {
      return;
    }
    t.eventLoop()
        .execute(
            () -> {
              t.drain();
              t.end();
            });
  }

  /** The final step, once: streams stopped, lifetime manager and hub told, registry cleaned. */
  void terminate(Throwable cause) {
    if (!terminated.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    boolean wasConnected = handshakeDone;
    if (transportType != HttpTransportType.LongPolling || transport == null) {
      state = State.CLOSED;
      endpoint.remove(this);
    }
    // Long polling keeps the connection registered until a poll has taken the last data (204).
    activeStreams.cancelAll();
    for (UploadStream s : uploadStreams.values()) {
      s.complete(new HubException("The connection was closed."));
    }
    uploadStreams.clear();
    if (!wasConnected) {
      closed.complete(null);
      return;
    }
    HubDispatcher dispatcher = endpoint.dispatcher();
    HubLifetimeManager manager = endpoint.lifetimeManager();
    dispatcher
        .onDisconnected(this, cause)
        .handle((v, e) -> manager.onDisconnected(this))
        .thenCompose(f -> f)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                log.warn("Disconnect of {} failed", connectionId, e);
              }
              endpoint.disconnected(this);
              closed.complete(null);
            });
  }

  /** Long polling: the last data went out and the client was told 204; forget the connection. */
  public void dispose() {
    state = State.CLOSED;
    endpoint.remove(this);
    if (!terminated.get()) {
      terminate(null);
    }
  }

  // ------------------------------------------------------------------ inbound

  /**
   * Bytes from the client (a WebSocket frame or a POST body), in order. Never blocks on I/O.
   *
   * @return false when the connection is closed
   */
  public boolean receive(ByteBuffer bytes) {
    synchronized (inboundLock) {
      if (state == State.CLOSED || closing) {
        return false;
      }
      lastReceivedAt = System.nanoTime();
      try {
        if (!handshakeDone) {
          bytes = handshake(bytes);
          if (bytes == null) {
            return true;
          }
        }
        if (bytes.hasRemaining()) {
          reader.feed(bytes, this::onMessage);
        }
      } catch (HubProtocolException e) {
        log.debug("Connection {}: protocol error: {}", connectionId, e.getMessage());
        close("Connection closed with an error. InvalidDataException: " + e.getMessage(), true, e);
      }
      return true;
    }
  }

  /** Processes the handshake; returns the bytes after it, or null when not complete/failed. */
  private ByteBuffer handshake(ByteBuffer bytes) {
    ByteBuffer buf = handshakeBuffer;
    if (buf.hasRemaining()) {
      ByteBuffer joined = ByteBuffer.allocate(buf.remaining() + bytes.remaining());
      joined.put(buf).put(bytes).flip();
      buf = joined;
    } else {
      buf = bytes;
    }
    HandshakeRequest request;
    try {
      request = HandshakeProtocol.tryParseRequest(buf, options.maxMessageSize());
    } catch (HubProtocolException e) {
      String text =
          e.getMessage().startsWith("The maximum message size")
              ? "Handshake was canceled."
              : "An unexpected error occurred during connection handshake."
                  + (options.detailedErrors() ? " HubProtocolException: " + e.getMessage() : "");
      failHandshake(text);
      return null;
    }
    if (request == null) {
      ByteBuffer keep = ByteBuffer.allocate(buf.remaining());
      keep.put(buf).flip();
      handshakeBuffer = keep;
      return null;
    }
    handshakeBuffer = NO_BYTES;
    HubProtocol p = endpoint.protocol(request.protocol());
    if (p == null) {
      failHandshake("The protocol '" + request.protocol() + "' is not supported.");
      return null;
    }
    if (!p.isVersionSupported(request.version())) {
      failHandshake(
          "The server does not support version "
              + request.version()
              + " of the '"
              + request.protocol()
              + "' protocol.");
      return null;
    }
    if (p.transferFormat() == TransferFormat.Binary
        && transportType == HttpTransportType.ServerSentEvents) {
      failHandshake(
          "Cannot use the '"
              + p.name()
              + "' protocol on the current transport. The transport does not support 'Binary'"
              + " transfer format.");
      return null;
    }
    this.protocol = p;
    endpoint.sentCounter(p); // the metric exists from the first connection on
    this.reader = new HubMessageReader(p, new Binder(), options.maxMessageSize());
    if (statefulNegotiated
        && request.version() >= 2
        && transportType == HttpTransportType.WebSockets) {
      synchronized (outLock) {
        replay = new ReplayBuffer();
        stateful = true;
      }
    }
    enqueue(HandshakeProtocol.writeResponse(HandshakeResponse.SUCCESS), false, false);
    handshakeDone = true;
    lastPingSentAt = System.nanoTime();
    HubLifetimeManager manager = endpoint.lifetimeManager();
    serial
        .submit(
            // One serial task: the lifetime manager, then the hub's onConnected, before any
            // invocation of this connection.
            () ->
                manager
                    .onConnected(this)
                    .thenComposeAsync(
                        v -> endpoint.dispatcher().runOnConnected(this), endpoint.executor()))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                log.warn("onConnected of {} failed; closing the connection", connectionId, e);
                close("Connection closed with an error.", false, e);
              } else {
                endpoint.connected(this);
              }
            });
    return buf;
  }

  private void failHandshake(String error) {
    closing = true;
    // No protocol is set yet, so the error goes out as text whatever protocol was asked for.
    enqueue(HandshakeProtocol.writeResponse(new HandshakeResponse(error)), false, true);
    endTransport();
    terminate(null);
  }

  private void onMessage(HubMessage message) {
    if (stateful && message instanceof HubInvocationMessage) {
      long id = nextExpectedId++;
      if (id <= latestProcessedId) {
        return; // a duplicate replayed after a reconnect
      }
      latestProcessedId = id;
      ackDue = true;
    }
    endpoint.messageReceived(protocol);
    HubDispatcher dispatcher = endpoint.dispatcher();
    if (message instanceof InvocationMessage m) {
      dispatcher.invoke(this, m);
    } else if (message instanceof StreamInvocationMessage m) {
      dispatcher.streamInvoke(this, m);
    } else if (message instanceof StreamItemMessage m) {
      UploadStream s = uploadStreams.get(m.invocationId());
      if (s != null && !s.offer(m.item())) {
        pauseReading(s);
      }
    } else if (message instanceof CompletionMessage m) {
      UploadStream s = uploadStreams.remove(m.invocationId());
      if (s != null) {
        uploadStreamTypes.remove(m.invocationId());
        s.complete(m.error() == null ? null : new HubException(m.error()));
      } else {
        endpoint.lifetimeManager().setConnectionResult(connectionId, m);
      }
    } else if (message instanceof CancelInvocationMessage m) {
      dispatcher.cancel(this, m.invocationId());
    } else if (message instanceof PingMessage) {
      pingReceived = true;
    } else if (message instanceof CloseMessage m) {
      closing = true;
      enqueue(protocol.toBytes(CloseMessage.EMPTY), false, true);
      endTransport();
      terminate(m.error() == null ? null : new HubException(m.error()));
    } else if (message instanceof AckMessage m) {
      if (stateful) {
        boolean waiting;
        synchronized (outLock) {
          replay.ack(m.sequenceId());
          waiting = !outbound.isEmpty();
        }
        if (waiting) {
          scheduleDrain(); // messages held back for a full replay buffer may go now
        }
      }
    } else if (message instanceof SequenceMessage m) {
      if (stateful) {
        if (m.sequenceId() > nextExpectedId) {
          throw new HubProtocolException(
              "Sequence ID greater than amount of messages we've received.");
        }
        nextExpectedId = m.sequenceId();
      }
    } else if (message instanceof InvocationBindingFailureMessage m) {
      dispatcher.bindingFailure(this, m);
    } else if (message instanceof StreamBindingFailureMessage m) {
      UploadStream s = uploadStreams.remove(m.invocationId());
      if (s != null) {
        uploadStreamTypes.remove(m.invocationId());
        s.complete(new HubException(m.reason()));
      }
    }
  }

  /**
   * A full upload stream pauses reading from a WebSocket until the method catches up. Over SSE and
   * long polling the items come in POST bodies that are already read (each bounded by the maximum
   * request body size), so they are buffered instead.
   */
  private void pauseReading(UploadStream stream) {
    Transport t = transport;
    if (t instanceof org.jvmchat.hub.internal.transport.WebSocketTransport ws) {
      ws.setAutoRead(false);
      stream.onSpace(() -> ws.setAutoRead(true));
    }
  }

  /** Registers a client-to-server stream; null when the id is in use. */
  public UploadStream openUploadStream(String streamId, Type itemType) {
    UploadStream s =
        new UploadStream(streamId, options.streamBufferCapacity(), endpoint.executor());
    if (uploadStreams.putIfAbsent(streamId, s) != null) {
      return null;
    }
    uploadStreamTypes.put(streamId, itemType);
    return s;
  }

  public void closeUploadStream(String streamId) {
    uploadStreams.remove(streamId);
    uploadStreamTypes.remove(streamId);
  }

  private final class Binder implements InvocationBinder {
    @Override
    public List<Type> parameterTypes(String target) {
      return endpoint.dispatcher().parameterTypes(target);
    }

    @Override
    public Type returnType(String invocationId) {
      return endpoint.lifetimeManager().resultType(connectionId, invocationId);
    }

    @Override
    public Type streamItemType(String streamId) {
      return uploadStreamTypes.get(streamId);
    }
  }

  // ------------------------------------------------------------------ heartbeat

  /** Called about once a second: pings, acks, and every timeout. */
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
    if (!handshakeDone) {
      if (!closing && now - transportAttachedAt > options.handshakeTimeout().toNanos()) {
        synchronized (inboundLock) {
          if (!handshakeDone && !closing) {
            failHandshake("Handshake was canceled.");
          }
        }
      }
      return;
    }
    if (closing) {
      return;
    }
    if (stateful && ackDue) {
      ackDue = false;
      long id;
      synchronized (inboundLock) {
        id = latestProcessedId;
      }
      enqueue(protocol.toBytes(new AckMessage(id)), false, false);
    }
    if (transportType == HttpTransportType.LongPolling) {
      return; // long polling has inherent keep-alive
    }
    if (now - lastPingSentAt >= options.keepAliveInterval().toNanos()) {
      lastPingSentAt = now;
      enqueue(protocol.toBytes(PingMessage.INSTANCE), false, false);
    }
    if (pingReceived && now - lastReceivedAt > options.clientTimeout().toNanos()) {
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
    return "HubConnection[" + connectionId + ", " + transportType + ", " + state + "]";
  }

  // ------------------------------------------------------------------ caller context

  private final class CallerContext implements HubCallerContext {
    @Override
    public String connectionId() {
      return connectionId;
    }

    @Override
    public HubUser user() {
      return user;
    }

    @Override
    public ConcurrentMap<Object, Object> items() {
      return items;
    }

    @Override
    public String transport() {
      HttpTransportType t = transportType;
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

  /** For tests and diagnostics. */
  List<String> uploadStreamIds() {
    return new ArrayList<>(uploadStreams.keySet());
  }
}
