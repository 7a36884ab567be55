package org.jvmchat.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A SignalR hub protocol: how hub messages become bytes and back. Five members, as in ASP.NET
 * Core's {@code IHubProtocol}. Implementations are immutable and thread-safe.
 */
public interface HubProtocol {

  /** The name sent in the handshake: {@code json} or {@code messagepack}. */
  String name();

  /** The highest protocol version this implementation speaks. */
  int version();

  TransferFormat transferFormat();

  /** Whether a client asking for {@code version} in its handshake can be served. */
  default boolean isVersionSupported(int version) {
    return version <= version();
  }

  /**
   * Parses one complete framed message from the buffer's position. On success returns the message
   * and advances the position past it; returns {@code null} and leaves the position unchanged when
   * the buffer holds only part of a message.
   *
   * @param maxMessageSize the largest framed message accepted, in bytes; a larger one fails before
   *     anything of its claimed size is allocated
   * @throws HubProtocolException when the bytes are not a valid message (connection-fatal)
   */
  HubMessage tryParse(ByteBuffer buffer, InvocationBinder binder, int maxMessageSize);

  /** Writes {@code message}, framed, to {@code out}. */
  void write(HubMessage message, OutputStream out) throws IOException;

  /** The framed bytes of {@code message}. */
  default byte[] toBytes(HubMessage message) {
    var out = new java.io.ByteArrayOutputStream(128);
    try {
      write(message, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
