package org.jvmchat.hub.internal.transport;

import io.netty.buffer.ByteBuf;

/**
 * Server-to-client WebSocket frames written straight into a buffer (RFC 6455 5.2): FIN, the opcode,
 * the payload length in 7, 16 or 64 bits, no mask, then the payload. The drain's batches and a
 * broadcast's shared frames ({@link SharedFrames}) are both written this way, byte for byte what
 * Netty's frame encoder writes for a final unmasked frame.
 */
final class WebSocketFrames {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;

  private WebSocketFrames() {}

  /** Bytes the header adds to a payload of {@code length} bytes. */
  static int overhead(int length) {
    return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
  }

  /** Appends one final frame of {@code opcode} carrying {@code payload}. */
  static void append(ByteBuf out, int opcode, byte[] payload) {
    int length = payload.length;
    out.ensureWritable(overhead(length) + length);
    out.writeByte(0x80 | opcode);
    if (length < 126) {
      out.writeByte(length);
    } else if (length <= 0xFFFF) {
      out.writeByte(126);
      out.writeShort(length);
    } else {
      out.writeByte(127);
      out.writeLong(length);
    }
    out.writeBytes(payload);
  }
}
