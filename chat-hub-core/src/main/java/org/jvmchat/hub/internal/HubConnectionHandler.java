package org.jvmchat.hub.internal;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.internal.HandshakeReader;
import org.jvmchat.protocol.internal.MessageBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound side of one connection, as ASP.NET Core's {@code HubConnectionHandler}: the client's
 * bytes go through the handshake (buffered until the record separator, parsed, validated against
 * the endpoint's protocols and the transport), then the protocol's reader, then the {@link
 * MessageRouter}; for a stateful connection, hub invocation messages are numbered first and
 * replayed duplicates dropped. Also notes what the keep-alive needs (when the client last sent
 * something, whether it pings).
 *
 * <p>Not thread-safe: every method runs on the connection's executor.
 */
final class HubConnectionHandler {
  private static final Logger log = LoggerFactory.getLogger(HubConnectionHandler.class);

  private final HubConnection connection;
  private final HubEndpoint endpoint;
  private final HubOptions options;
  private HandshakeReader<HandshakeRequest> handshake;
  private HubMessageReader reader;
  private MessageBuffer<byte[]> sequence; // stateful only: its inbound side
  private long lastReceivedAt = System.nanoTime();
  private boolean pingReceived;

  HubConnectionHandler(HubConnection connection, HubEndpoint endpoint) {
    this.connection = connection;
    this.endpoint = endpoint;
    this.options = endpoint.options();
    this.handshake = HandshakeReader.forRequest(options.maxMessageSize());
  }

  HubEndpoint endpoint() {
    return endpoint;
  }

  /** Bytes from the client (a WebSocket frame or a POST body), in order. */
  void receive(ByteBuffer bytes) {
    lastReceivedAt = System.nanoTime();
    try {
      if (reader == null) {
        bytes = handshake(bytes);
        if (bytes == null) {
          return;
        }
      }
      boolean stopped = feed(bytes);
      // An invocation may complete between the reader's stop and now: parse on while there is room.
      while (stopped && !connection.invocationQueueFull()) {
        stopped = feed(EMPTY);
      }
      if (stopped) {
        connection.invocationQueueAtBound(reader.bufferedBytes());
      }
    } catch (HubProtocolException e) {
      protocolError(e);
    }
  }

  /**
   * Parses what was held while the invocation queue was at its bound.
   *
   * @return true when the queue has room again (the transport may be read), false when it filled up
   *     again
   */
  boolean resumeParsing() {
    if (reader == null) {
      return true;
    }
    if (feeding) {
      return false; // called from a message being routed: the feed in progress goes on by itself
    }
    try {
      boolean stopped;
      do {
        stopped = feed(EMPTY);
      } while (stopped && !connection.invocationQueueFull());
      return !stopped;
    } catch (HubProtocolException e) {
      protocolError(e);
      return true;
    }
  }

  /** The size of the message being routed (the invocation queue counts it). */
  int currentMessageSize() {
    return reader == null ? 0 : reader.lastMessageSize();
  }

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** True while the reader is feeding: a completion routed meanwhile must not feed it again. */
  private boolean feeding;

  /** Feeds the reader up to the invocation queue's bound; true when it stopped there. */
  private boolean feed(ByteBuffer bytes) {
    feeding = true;
    try {
      return reader.feed(bytes, this::onMessage, connection::invocationQueueFull);
    } finally {
      feeding = false;
    }
  }

  private void protocolError(HubProtocolException e) {
    log.debug("Connection {}: protocol error: {}", connection.connectionId(), e.getMessage());
    // As ASP.NET Core: the parser's text only with detailed errors (issue #27).
    connection.close(
        "Connection closed with an error."
            + (options.detailedErrors() ? " InvalidDataException: " + e.getMessage() : ""),
        true,
        e);
  }

  /** Whether the handshake has completed. */
  boolean handshakeDone() {
    return reader != null;
  }

  /** Processes the handshake; returns the bytes after it, or null when not complete or failed. */
  private ByteBuffer handshake(ByteBuffer bytes) {
    HandshakeReader.Result<HandshakeRequest> read;
    try {
      read = handshake.feed(bytes);
    } catch (HandshakeReader.HandshakeTooLargeException e) {
      connection.failHandshake("Handshake was canceled.");
      return null;
    } catch (HubProtocolException e) {
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
    handshake = null;
    HubProtocol p = endpoint.protocol(request.protocol());
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
    reader = new HubMessageReader(p, new Binder(), options.maxMessageSize());
    sequence = connection.handshakeCompleted(p, request.version());
    return rest;
  }

  private void onMessage(HubMessage message) {
    if (sequence != null && message instanceof HubInvocationMessage && !sequence.shouldProcess()) {
      return; // a duplicate replayed after a reconnect
    }
    endpoint.messageReceived(connection.protocol());
    MessageRouter.route(this, connection, message);
  }

  // ------------------------------------------------------------------ for the routes and ticks

  void pingReceived() {
    pingReceived = true;
  }

  void sequence(long sequenceId) {
    if (sequence != null) {
      sequence.sequence(sequenceId);
    }
  }

  /** The id to acknowledge, or -1 when nothing was processed since the last Ack. */
  long takeAck() {
    return sequence == null ? -1 : sequence.takeAck();
  }

  /** Whether the client pings and has been silent longer than {@code timeoutNanos}. */
  boolean timedOut(long now, long timeoutNanos) {
    return pingReceived && now - lastReceivedAt > timeoutNanos;
  }

  /** A stateful reconnect: the new socket counts as hearing from the client. */
  void resumed() {
    lastReceivedAt = System.nanoTime();
  }

  private final class Binder implements InvocationBinder {
    @Override
    public List<Type> parameterTypes(String target) {
      return endpoint.dispatcher().parameterTypes(target);
    }

    @Override
    public Type returnType(String invocationId) {
      return endpoint.lifetimeManager().resultType(connection.connectionId(), invocationId);
    }

    @Override
    public Type streamItemType(String streamId) {
      return connection.uploads().itemType(streamId);
    }
  }
}
