package org.jvmchat.hub.internal.hub;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.internal.dispatch.HubDispatcher;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.internal.HandshakeReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's side of every connection of one hub, as ASP.NET Core's {@code HubConnectionHandler}:
 * one per hub. The connection hands it the client's bytes; it runs the handshake (buffered until
 * the record separator, parsed, validated against the hub's protocols and the transport), then the
 * lifetime manager's and the hub's {@code onConnected} (the handshake's answer reaches the client
 * once they completed, see {@link #connected}), then parses each message and routes it ({@link
 * MessageRouter}) to the dispatcher, the connection's upload streams or the lifetime manager; for a
 * stateful connection, hub invocation messages are numbered first and replayed duplicates dropped.
 * When the connection ends, it runs the hub's and the lifetime manager's {@code onDisconnected}.
 *
 * <p>It keeps no state of its own besides the hub's. {@link #open} binds it to a new
 * transport-level connection, which it sees only as a {@link ConnectionView}: it creates the
 * connection's hub state ({@link DefaultHubConnectionContext}, with its parsing state {@link
 * HubInbound}) and hands the connection a {@link ConnectionApplication} to pass its bytes, its
 * heartbeat and its end to. Every per-connection method runs on that connection's executor.
 */
final class HubConnectionHandler {
  private static final Logger log = LoggerFactory.getLogger(HubConnectionHandler.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** What the handler tells its hub and asks of it (the hub's endpoint implements it). */
  interface Hub {
    /** The enabled protocol with that name, or null. */
    HubProtocol protocol(String name);

    /** A handshake chose {@code p}: its sent-message metric exists from now on. */
    void protocolUsed(HubProtocol p);

    /** Each message received (the hub's listeners count them). */
    void messageReceived(HubProtocol p);

    /** A connection's onConnected completed. */
    void connected(ConnectionView connection, HubProtocol p);

    /** A connection's onDisconnected completed. */
    void disconnected(ConnectionView connection, HubProtocol p);
  }

  private final HubOptions options;
  private final HubDispatcher dispatcher;
  private final HubLifetimeManager lifetimeManager;
  private final ExecutorService executor;
  private final Hub hub;

  HubConnectionHandler(
      HubOptions options,
      HubDispatcher dispatcher,
      HubLifetimeManager lifetimeManager,
      ExecutorService executor,
      Hub hub) {
    this.options = options;
    this.dispatcher = dispatcher;
    this.lifetimeManager = lifetimeManager;
    this.executor = executor;
    this.hub = hub;
  }

  /**
   * Binds the handler to a new transport-level connection: creates the connection's hub state
   * ({@link DefaultHubConnectionContext}) and returns what the connection hands its bytes, its
   * heartbeat and its end to.
   */
  ConnectionApplication open(ConnectionView connection) {
    return new Bound(connection);
  }

  /** Bytes from the client (a WebSocket frame or a POST body), in order. */
  private void receive(DefaultHubConnectionContext connection, ByteBuffer bytes) {
    HubInbound in = connection.inbound();
    in.lastReceivedAt = System.nanoTime();
    try {
      if (in.reader == null) {
        bytes = handshake(connection, in, bytes);
        if (bytes == null) {
          return;
        }
      }
      boolean stopped = feed(connection, in, bytes);
      // An invocation may complete between the reader's stop and now: parse on while there is room.
      while (stopped && !connection.invocationQueueFull()) {
        stopped = feed(connection, in, EMPTY);
      }
      if (stopped) {
        connection.invocationQueueAtBound(in.reader.bufferedBytes());
      }
    } catch (HubProtocolException e) {
      protocolError(connection, e);
    }
  }

  /**
   * Parses what was held while the invocation queue was at its bound.
   *
   * @return true when the queue has room again (the transport may be read), false when it filled up
   *     again
   */
  boolean resumeParsing(DefaultHubConnectionContext connection) {
    HubInbound in = connection.inbound();
    if (in.reader == null) {
      return true;
    }
    if (in.feeding) {
      return false; // called from a message being routed: the feed in progress goes on by itself
    }
    try {
      boolean stopped;
      do {
        stopped = feed(connection, in, EMPTY);
      } while (stopped && !connection.invocationQueueFull());
      return !stopped;
    } catch (HubProtocolException e) {
      protocolError(connection, e);
      return true;
    }
  }

  /** Feeds the reader up to the invocation queue's bound; true when it stopped there. */
  private boolean feed(DefaultHubConnectionContext connection, HubInbound in, ByteBuffer bytes) {
    in.feeding = true;
    try {
      return in.reader.feed(
          bytes, m -> onMessage(connection, in, m), connection::invocationQueueFull);
    } finally {
      in.feeding = false;
    }
  }

  private void protocolError(DefaultHubConnectionContext connection, HubProtocolException e) {
    log.debug("Connection {}: protocol error: {}", connection.connectionId(), e.getMessage());
    // As ASP.NET Core: the parser's text only with detailed errors (issue #27).
    connection.close(
        "Connection closed with an error."
            + (options.detailedErrors() ? " InvalidDataException: " + e.getMessage() : ""),
        true,
        e);
  }

  /**
   * Whether the first of the client's bytes can begin a handshake request (a JSON object, after
   * optional whitespace). True while nothing but whitespace arrived.
   */
  static boolean startsAJsonObject(ByteBuffer bytes) {
    for (int i = bytes.position(); i < bytes.limit(); i++) {
      byte b = bytes.get(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{';
      }
    }
    return true;
  }

  /** Processes the handshake; returns the bytes after it, or null when not complete or failed. */
  private ByteBuffer handshake(
      DefaultHubConnectionContext connection, HubInbound in, ByteBuffer bytes) {
    boolean first = !in.anyReceived;
    if (bytes.hasRemaining()) {
      in.anyReceived = true;
    }
    if (first && connection.adopted() && !startsAJsonObject(bytes)) {
      connection.dropResumeOfAnotherInstance();
      return null;
    }
    HandshakeReader.Result<HandshakeRequest> read;
    try {
      read = in.handshake.feed(bytes);
    } catch (HandshakeReader.HandshakeTooLargeException e) {
      connection.failHandshake("Handshake was canceled.");
      return null;
    } catch (HubProtocolException e) {
      if (connection.adopted()) {
        // A JSON hub message (the Sequence of a resuming client), not a handshake request.
        connection.dropResumeOfAnotherInstance();
        return null;
      }
      connection.failHandshake(
          "An unexpected error occurred during connection handshake."
              + (options.detailedErrors() ? " HubProtocolException: " + e.getMessage() : ""));
      return null;
    }
    if (read == null) {
      return null;
    }
    HandshakeRequest request = read.message();
    ByteBuffer rest = read.remaining();
    in.handshake = null;
    HubProtocol p = hub.protocol(request.protocol());
    if (p == null) {
      connection.failHandshake("The protocol '" + request.protocol() + "' is not supported.");
      return null;
    }
    if (!p.isVersionSupported(request.version())) {
      connection.failHandshake(
          "The server does not support version "
              + request.version()
              + " of the '"
              + request.protocol()
              + "' protocol.");
      return null;
    }
    if (p.transferFormat() == TransferFormat.Binary && !connection.transport().supportsBinary()) {
      connection.failHandshake(
          "Cannot use the '"
              + p.name()
              + "' protocol on the current transport. The transport does not support 'Binary'"
              + " transfer format.");
      return null;
    }
    in.reader = new HubMessageReader(p, new Binder(connection), options.maxMessageSize());
    hub.protocolUsed(p); // the metric exists from the first connection on
    in.sequence = connection.handshakeCompleted(p, request.version());
    connected(connection);
    return rest;
  }

  /**
   * Executor, once the handshake was answered: the lifetime manager's and then the hub's
   * onConnected, as one serial task, so before any invocation of the connection; a failure closes
   * the connection.
   *
   * <p>The answer is queued at once but held, with everything written after it, until onConnected
   * completed (as a failure's Close message is): a client sees its connection start only once the
   * connection is in the groups onConnected put it in, so a message sent to such a group after the
   * client saw the start reaches it. ASP.NET Core answers first and runs onConnected afterwards,
   * where a client may see the start, have a message sent to the room it is being put back in, and
   * miss it (the chat server's reconnect without {@code lastSeq} did, under load).
   */
  private void connected(DefaultHubConnectionContext connection) {
    HubLifetimeManager manager = lifetimeManager;
    BiConsumer<Object, Throwable> done =
        (v, e) -> {
          if (e != null) {
            log.warn(
                "onConnected of {} failed; closing the connection", connection.connectionId(), e);
            connection.close("Connection closed with an error.", false, e);
          } else {
            connection.connected();
            hub.connected(connection.connection(), connection.protocol());
          }
        };
    if (dispatcher.onConnectedNonBlocking()) {
      // A @NonBlocking onConnectedAsync: here, on the I/O thread (the lane is idle: this is the
      // connection's first task), or on the thread that completed the lifetime manager's stage.
      connection
          .serial()
          .submitHere(
              () ->
                  manager
                      .onConnected(connection)
                      .thenCompose(v -> dispatcher.runOnConnected(connection)),
              done);
    } else {
      connection
          .serial()
          .submit(
              () ->
                  manager
                      .onConnected(connection)
                      .thenComposeAsync(v -> dispatcher.runOnConnected(connection), executor))
          .whenComplete(done);
    }
  }

  /**
   * Executor, when a connection that completed its handshake ended: the hub's onDisconnected (after
   * every invocation already queued), then the lifetime manager's, then the hub's listeners.
   */
  CompletableFuture<Void> disconnected(DefaultHubConnectionContext connection, Throwable cause) {
    HubLifetimeManager manager = lifetimeManager;
    return dispatcher
        .onDisconnected(connection, cause)
        .handle((v, e) -> manager.onDisconnected(connection))
        .thenCompose(f -> f)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                log.warn("Disconnect of {} failed", connection.connectionId(), e);
              }
              hub.disconnected(connection.connection(), connection.protocol());
            });
  }

  private void onMessage(
      DefaultHubConnectionContext connection, HubInbound in, HubMessage message) {
    if (in.sequence != null
        && message instanceof HubInvocationMessage
        && !in.sequence.shouldProcess()) {
      return; // a duplicate replayed after a reconnect
    }
    hub.messageReceived(connection.protocol());
    MessageRouter.route(dispatcher, lifetimeManager, connection, message);
  }

  /** The handler bound to one connection: what its transport-level connection hands on to. */
  private final class Bound implements ConnectionApplication, ReadGate.Reader {
    private final DefaultHubConnectionContext context;

    Bound(ConnectionView connection) {
      this.context =
          new DefaultHubConnectionContext(connection, options, executor, lifetimeManager, this);
    }

    @Override
    public void received(ByteBuffer bytes, Runnable taken) {
      ConnectionView c = context.connection();
      ReadGate gate = context.gate();
      if (!c.isEnded()) {
        gate.receiving(true);
        receive(context, bytes);
        gate.receiving(false);
      }
      if (taken != null) {
        gate.whenTaken(taken, !c.isEnded());
      }
    }

    @Override
    public void tick(long now) {
      context.tick(now);
    }

    @Override
    public void reattached() {
      context.inbound().resumed();
    }

    @Override
    public byte[] sequenceMessage(long sequenceId) {
      return context.protocol().toBytes(new SequenceMessage(sequenceId));
    }

    @Override
    public HubConnectionContext context() {
      return context;
    }

    @Override
    public HubProtocol protocol() {
      return context.protocol();
    }

    @Override
    public void close(String error, boolean allowReconnect, Throwable cause) {
      context.close(error, allowReconnect, cause);
    }

    @Override
    public CompletableFuture<Void> ended(Throwable cause) {
      boolean wasConnected = context.inbound().handshakeDone();
      context.ended();
      return wasConnected ? disconnected(context, cause) : CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean resumeParsing() {
      return HubConnectionHandler.this.resumeParsing(context);
    }

    @Override
    public void readingResumed() {
      context.inbound().resumed();
    }
  }

  /** Asks the hub and the lifetime manager for the types the parser binds to. */
  private final class Binder implements InvocationBinder {
    private final DefaultHubConnectionContext connection;

    Binder(DefaultHubConnectionContext connection) {
      this.connection = connection;
    }

    @Override
    public List<Type> parameterTypes(String target) {
      return dispatcher.parameterTypes(target);
    }

    @Override
    public Type returnType(String invocationId) {
      return lifetimeManager.resultType(connection.connectionId(), invocationId);
    }

    @Override
    public Type streamItemType(String streamId) {
      return connection.uploads().itemType(streamId);
    }
  }
}
