package org.jvmchat.load.ceiling;

import io.netty.buffer.ByteBuf;

/**
 * Pre-framed WebSocket frames: the server's (unmasked, final) frame header written in front of a
 * payload, in the same buffer, so that one buffer holds the whole frame as it goes on the wire (RFC
 * 6455, section 5.2). The payload is written after {@link #HEADER_ROOM} reserved bytes.
 */
final class WsFrames {
  /** The largest header: 2 bytes and a 64-bit length. */
  static final int HEADER_ROOM = 10;

  static final int TEXT = 0x1;
  static final int BINARY = 0x2;

  private WsFrames() {}

  /** Reserves the header room at the buffer's writer index; write the payload after it. */
  static void reserve(ByteBuf b) {
    b.writeZero(HEADER_ROOM);
  }

  /**
   * Writes the header of a final frame of {@code opcode} whose payload is {@code payloadStart} to
   * the writer index just before the payload (at least {@link #HEADER_ROOM} bytes after the
   * reserved room's start) and moves the reader index to it: the buffer then holds the frame.
   */
  static ByteBuf finish(ByteBuf b, int payloadStart, int opcode) {
    int length = b.writerIndex() - payloadStart;
    int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
    int at = payloadStart - header;
    b.setByte(at, 0x80 | opcode);
    if (length < 126) {
      b.setByte(at + 1, length);
    } else if (length < 65536) {
      b.setByte(at + 1, 126);
      b.setShort(at + 2, length);
    } else {
      b.setByte(at + 1, 127);
      b.setLong(at + 2, length);
    }
    b.readerIndex(at);
    return b;
  }
}
