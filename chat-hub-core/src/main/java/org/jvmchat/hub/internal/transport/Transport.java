package org.jvmchat.hub.internal.transport;

import io.netty.util.concurrent.EventExecutor;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * How a connection's bytes reach the client, and what the transport can do: every difference
 * between WebSockets, Server-Sent Events and long polling that the connection cares about is a
 * method here, so the connection never asks which transport it has. (The request handlers that hand
 * a connection its next long poll, {@code NettyConnectionLayer} and {@code ConnectionLayer}, do
 * find the polling transport by its type: they serve only that transport's requests.)
 *
 * <p>{@link #drain()}, {@link #end()} and {@link #abort()} are called on the connection's executor
 * (normally the transport's own event loop; after a stateful reconnect whose new socket landed on
 * another loop, the connection's original one: Netty then hands the channel writes to the channel's
 * loop).
 */
public interface Transport {
  HttpTransportType type();

  /** The event loop of this transport; the first transport's becomes the connection's executor. */
  EventExecutor eventLoop();

  /** Writes out what the connection has queued (coalesced: one write and one flush per drain). */
  void drain();

  /**
   * A broadcast's fast path, on the transport's event loop: writes a retained duplicate of the
   * shared pre-framed {@code frames} of {@code protocol}, without a flush ({@code flush} flushes
   * once per loop and batch). False when this transport cannot take it so (not a WebSocket, not
   * writable, ended, no frame for the protocol, not on the socket's loop): the caller then queues
   * the message as usual. The caller checks that nothing of the connection is queued before.
   */
  default boolean writeShared(SharedFrames frames, HubProtocol protocol, LoopFlush flush) {
    return false;
  }

  /** Bytes handed to the socket but not yet written. */
  long pendingWriteBytes();

  /** Ends the transport once what is queued has been written. */
  void end();

  /** Drops the transport without sending more (a stateful reconnect replaces it). */
  void abort();

  /** Whether binary hub protocols (MessagePack) can be carried. */
  default boolean supportsBinary() {
    return true;
  }

  /**
   * Whether the connection may survive this transport's loss and be resumed by a new one (stateful
   * reconnect): only a socket that the client reopens with the same token.
   */
  default boolean supportsStatefulReconnect() {
    return false;
  }

  /** Whether the server sends Pings and applies the client timeout (not on long polling). */
  default boolean needsKeepAlive() {
    return true;
  }

  /**
   * Whether the connection stays registered after it ended until a request has collected the last
   * data (long polling: the next poll takes what is left, then gets 204).
   */
  default boolean holdsConnectionUntilCollected() {
    return false;
  }

  /**
   * Stops reading from the client (the invocation queue at its bound, or a full upload stream)
   * until {@link #resumeReading()}. A no-op where the client's bytes come in request bodies that
   * are already read (SSE and long polling): there the connection holds the POST's answer instead.
   */
  default void pauseReading() {}

  /**
   * Whether {@link #pauseReading()} stops the client's bytes at the socket (WebSockets). Where it
   * does not (the HTTP transports, whose bytes come in POSTs), bytes held past the invocation
   * queue's bound come from a client that did not wait for its POST's answer.
   */
  default boolean pausesAtTheSocket() {
    return false;
  }

  /** Resumes reading after {@link #pauseReading()}; may be called from any thread. */
  default void resumeReading() {}
}
