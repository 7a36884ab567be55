package org.jvmchat.protocol.internal;

import java.nio.ByteBuffer;
import org.jvmchat.protocol.HubProtocolException;

/** Framing of the text protocols: every message is followed by the record separator 0x1E. */
public final class TextMessageFormat {
  public static final byte RECORD_SEPARATOR = 0x1E;

  private TextMessageFormat() {}

  /**
   * The length of the payload (without separator) of the next message starting at the buffer's
   * position, or -1 if no separator is there yet.
   *
   * @throws HubProtocolException when the framed message (payload plus separator) is, or is sure to
   *     become, larger than {@code maxMessageSize}
   */
  public static int payloadLength(ByteBuffer buffer, int maxMessageSize) {
    int start = buffer.position();
    int limit = buffer.limit();
    int scanEnd = maxMessageSize > 0 ? (int) Math.min(limit, (long) start + maxMessageSize) : limit;
    for (int i = start; i < scanEnd; i++) {
      if (buffer.get(i) == RECORD_SEPARATOR) {
        return i - start;
      }
    }
    if (maxMessageSize > 0 && limit - start >= maxMessageSize) {
      throw MessageSizeLimit.exceeded(maxMessageSize);
    }
    return -1;
  }
}
