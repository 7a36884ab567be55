package org.jvmchat.hub.internal.connection;

import java.nio.ByteBuffer;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HubProtocolException;

/**
 * Reads the client's handshake request from bytes that may arrive in pieces: keeps a partial
 * request until the record separator comes, then parses it. Not thread-safe: touched only on the
 * connection's executor.
 */
public final class HandshakeReader {
  // Never written: a partial handshake is copied into a buffer of its own.
  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0).asReadOnlyBuffer();

  private final int maxMessageSize;
  private ByteBuffer partial = NO_BYTES;
  private ByteBuffer rest = NO_BYTES;

  public HandshakeReader(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * Adds bytes; returns the request once complete (then {@link #remaining()} holds the bytes after
   * it), or null while it is not.
   *
   * @throws HubProtocolException when the request is malformed or larger than the maximum size
   */
  public HandshakeRequest read(ByteBuffer bytes) {
    ByteBuffer buf = bytes;
    if (partial.hasRemaining()) {
      buf = ByteBuffer.allocate(partial.remaining() + bytes.remaining());
      buf.put(partial).put(bytes).flip();
    }
    HandshakeRequest request = HandshakeProtocol.tryParseRequest(buf, maxMessageSize);
    if (request == null) {
      ByteBuffer keep = ByteBuffer.allocate(buf.remaining());
      keep.put(buf).flip();
      partial = keep;
      return null;
    }
    partial = NO_BYTES;
    rest = buf;
    return request;
  }

  /** The bytes that followed the request in the read that completed it (hub messages). */
  public ByteBuffer remaining() {
    ByteBuffer r = rest;
    rest = NO_BYTES;
    return r;
  }

  /** Whether a failure is the size limit (the client is told the handshake was canceled). */
  public static boolean isSizeLimit(HubProtocolException e) {
    return e.getMessage() != null && e.getMessage().startsWith("The maximum message size");
  }
}
