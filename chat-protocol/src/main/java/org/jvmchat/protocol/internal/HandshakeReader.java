package org.jvmchat.protocol.internal;

import java.nio.ByteBuffer;
import java.util.function.BiFunction;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubProtocolException;

/**
 * Reads the handshake (JSON terminated by 0x1E) from the first bytes of a connection, which may
 * arrive split over any number of chunks or followed by hub messages in the same chunk. Bytes are
 * accumulated until the record separator; more than {@code maxSize} bytes without one fail with
 * {@link HandshakeTooLargeException}. The server reads {@linkplain #forRequest requests}, the
 * client {@linkplain #forResponse responses}.
 *
 * <p>Not thread-safe: one reader per connection, fed by whoever owns the connection's inbound side.
 *
 * @param <M> {@link HandshakeRequest} or {@link HandshakeResponse}
 */
public final class HandshakeReader<M> {
  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);

  /** The handshake and what came after it in the same chunk (hub messages). */
  public record Result<M>(M message, ByteBuffer remaining) {}

  /** The handshake did not end within the maximum size. */
  public static final class HandshakeTooLargeException extends HubProtocolException {
    private static final long serialVersionUID = 1L;

    HandshakeTooLargeException(String message) {
      super(message);
    }
  }

  private final int maxSize;
  private final BiFunction<ByteBuffer, Integer, M> parser;
  private ByteBuffer partial = NO_BYTES;
  private boolean done;

  private HandshakeReader(int maxSize, BiFunction<ByteBuffer, Integer, M> parser) {
    this.maxSize = maxSize;
    this.parser = parser;
  }

  /** Server side: reads the client's handshake request. {@code maxSize} 0 means no limit. */
  public static HandshakeReader<HandshakeRequest> forRequest(int maxSize) {
    return new HandshakeReader<>(maxSize, HandshakeProtocol::tryParseRequest);
  }

  /** Client side: reads the server's handshake response. {@code maxSize} 0 means no limit. */
  public static HandshakeReader<HandshakeResponse> forResponse(int maxSize) {
    return new HandshakeReader<>(maxSize, HandshakeProtocol::tryParseResponse);
  }

  /**
   * Feeds the next chunk (consumed entirely).
   *
   * @return the handshake and the bytes after it, or {@code null} while it is incomplete
   * @throws HandshakeTooLargeException when no separator came within the maximum size
   * @throws HubProtocolException when the handshake is malformed
   * @throws IllegalStateException when called again after the handshake was read
   */
  public Result<M> feed(ByteBuffer chunk) {
    if (done) {
      throw new IllegalStateException("The handshake was already read");
    }
    ByteBuffer buf;
    if (partial.hasRemaining()) {
      buf = ByteBuffer.allocate(partial.remaining() + chunk.remaining());
      buf.put(partial).put(chunk).flip();
    } else {
      buf = chunk;
    }
    int length;
    try {
      length = TextMessageFormat.payloadLength(buf, maxSize);
    } catch (HubProtocolException e) {
      partial = NO_BYTES;
      throw new HandshakeTooLargeException(e.getMessage());
    }
    if (length < 0) {
      // Keep a copy: the caller may reuse the chunk's memory.
      ByteBuffer keep = ByteBuffer.allocate(buf.remaining());
      keep.put(buf).flip();
      partial = keep;
      return null;
    }
    partial = NO_BYTES;
    done = true;
    M message = parser.apply(buf, maxSize);
    return new Result<>(message, buf);
  }

  /** Whether the handshake has been read. */
  public boolean isDone() {
    return done;
  }
}
