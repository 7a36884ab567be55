package org.jvmchat.protocol.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.jvmchat.protocol.HubProtocolException;

/**
 * Framing of the binary protocols: a VarInt length prefix (little-endian base 128, at most 5 bytes,
 * at most 0x7FFFFFFF) before each message body.
 */
public final class BinaryMessageFormat {
  private BinaryMessageFormat() {}

  /**
   * Reads the VarInt prefix at the buffer's position without moving it. Returns -1 when the prefix
   * itself is incomplete; otherwise the body length in the low 32 bits and the number of bytes the
   * prefix took (1 to 5; a non-minimal encoding such as {@code 82 00} takes 2) in the bits above:
   * use {@link #bodyLength} and {@link #prefixBytes}.
   *
   * @throws HubProtocolException when the prefix claims more than 0x7FFFFFFF bytes or is longer
   *     than 5 bytes
   */
  public static long peekPrefix(ByteBuffer buffer) {
    int pos = buffer.position();
    int limit = buffer.limit();
    long length = 0;
    for (int i = 0; i < 5; i++) {
      if (pos + i >= limit) {
        return -1;
      }
      int b = buffer.get(pos + i) & 0xFF;
      if (i == 4 && b > 0x07) {
        throw new HubProtocolException("Messages over 2GB in size are not supported.");
      }
      length |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return ((long) (i + 1) << 32) | length;
      }
    }
    throw new HubProtocolException("Messages over 2GB in size are not supported.");
  }

  /** The body length from a {@link #peekPrefix} result. */
  public static int bodyLength(long prefix) {
    return (int) (prefix & 0xFFFFFFFFL);
  }

  /** The number of prefix bytes from a {@link #peekPrefix} result. */
  public static int prefixBytes(long prefix) {
    return (int) (prefix >>> 32);
  }

  public static void writeLengthPrefix(long length, OutputStream out) throws IOException {
    do {
      int b = (int) (length & 0x7F);
      length >>>= 7;
      if (length > 0) {
        b |= 0x80;
      }
      out.write(b);
    } while (length > 0);
  }
}
