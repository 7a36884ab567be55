package org.jvmchat.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Turns a byte stream, fed in chunks of any size, into hub messages: a frame split anywhere is kept
 * until it is complete, and a chunk holding several frames yields all of them. Not thread-safe: one
 * reader per connection, fed from one thread at a time.
 */
public final class HubMessageReader {
  private final HubProtocol protocol;
  private final InvocationBinder binder;
  private final int maxMessageSize;
  private static final byte[] NONE = new byte[0];

  /**
   * A buffer larger than this is dropped once empty: a pause may have held up to a few request
   * bodies, and a connection keeps its reader for its whole life.
   */
  static final int KEPT_BUFFER_BYTES = 64 * 1024;

  private byte[] pending = NONE;
  private int pendingLength;
  private int lastMessageSize;

  /**
   * @param maxMessageSize the largest framed message accepted, in bytes (0 for no limit)
   */
  public HubMessageReader(HubProtocol protocol, InvocationBinder binder, int maxMessageSize) {
    this.protocol = protocol;
    this.binder = binder;
    this.maxMessageSize = maxMessageSize;
  }

  public HubProtocol protocol() {
    return protocol;
  }

  /**
   * Feeds one chunk; every complete message is handed to {@code sink} in order, before this
   * returns.
   *
   * @throws HubProtocolException on invalid input; the reader must not be used afterwards. An
   *     exception thrown by {@code sink} propagates too, and the reader must likewise be dropped
   *     (the rest of the chunk is not kept).
   */
  public void feed(ByteBuffer chunk, Consumer<? super HubMessage> sink) {
    feed(chunk, sink, () -> false);
  }

  /**
   * Like {@link #feed(ByteBuffer, Consumer)}, but parses no further message once {@code paused}
   * answers true (asked before each one): the rest stays buffered (see {@link #bufferedBytes()})
   * until a later call, e.g. {@code feed(EMPTY, sink, paused)} once the consumer caught up. This is
   * how a server stops reading a client whose invocations are queued up to their bound.
   *
   * @return true when it stopped because of {@code paused} with bytes left to parse
   */
  public boolean feed(
      ByteBuffer chunk,
      Consumer<? super HubMessage> sink,
      java.util.function.BooleanSupplier paused) {
    ByteBuffer input;
    if (pendingLength == 0) {
      input = chunk;
    } else {
      append(chunk);
      input = ByteBuffer.wrap(pending, 0, pendingLength);
    }
    boolean stopped = false;
    while (input.hasRemaining()) {
      if (paused.getAsBoolean()) {
        stopped = true;
        break;
      }
      int start = input.position();
      HubMessage message = protocol.tryParse(input, binder, maxMessageSize);
      if (message == null) {
        break;
      }
      lastMessageSize = input.position() - start;
      sink.accept(message);
    }
    if (input == chunk) {
      if (chunk.hasRemaining()) {
        pendingLength = 0;
        append(chunk);
      }
    } else {
      int rest = input.remaining();
      System.arraycopy(pending, input.position(), pending, 0, rest);
      pendingLength = rest;
    }
    if (pendingLength == 0 && pending.length > KEPT_BUFFER_BYTES) {
      pending = NONE;
    }
    return stopped;
  }

  /** Convenience for {@link #feed(ByteBuffer, Consumer)} on an array. */
  public void feed(byte[] chunk, Consumer<? super HubMessage> sink) {
    feed(ByteBuffer.wrap(chunk), sink);
  }

  /**
   * Call when the transport has ended: bytes left over mean the peer stopped in the middle of a
   * message.
   *
   * @throws HubProtocolException when part of a message is still buffered
   */
  public void finish() {
    if (pendingLength > 0) {
      throw new HubProtocolException(
          "Connection terminated while reading a message (" + pendingLength + " bytes left).");
    }
  }

  /** The framed size in bytes of the message the sink was last given. */
  public int lastMessageSize() {
    return lastMessageSize;
  }

  /** The size of the buffer kept for partial messages (tests). */
  int bufferCapacity() {
    return pending.length;
  }

  /** Bytes received and not yet parsed (a partial message, or the rest after a pause). */
  public int bufferedBytes() {
    return pendingLength;
  }

  private void append(ByteBuffer chunk) {
    int needed = pendingLength + chunk.remaining();
    if (needed > pending.length) {
      byte[] grown =
          new byte[Math.max(needed, Math.min(pending.length * 2, Integer.MAX_VALUE - 8))];
      System.arraycopy(pending, 0, grown, 0, pendingLength);
      pending = grown;
    }
    chunk.get(pending, pendingLength, chunk.remaining());
    pendingLength = needed;
  }
}
