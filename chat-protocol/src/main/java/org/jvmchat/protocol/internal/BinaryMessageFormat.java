package org.jvmchat.protocol.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.jvmchat.protocol.HubProtocolException;

/**
 * Framing of the binary protocols: a VarInt length prefix (little-endian base 128, at most 5
 * bytes, at most 0x7FFFFFFF) before each message body.
 */
public final class BinaryMessageFormat {
  private BinaryMessageFormat() {}

  /**
   * The length of the next body, reading the prefix at the buffer's position without moving it;
   * returns -1 when the prefix itself is incomplete. {@link #prefixLength} tells how many bytes the
   * prefix took.
   */
  public static long peekLength(ByteBuffer buffer) {
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
        return length;
      }
    }
    throw new HubProtocolException("Messages over 2GB in size are not supported.");
  }

  public static int prefixLength(long length) {
    int n = 1;
    while (length >= 0x80) {
      length >>>= 7;
      n++;
    }
    return n;
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
