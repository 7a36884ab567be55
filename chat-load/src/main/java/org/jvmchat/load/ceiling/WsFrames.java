package org.jvmchat.load.ceiling;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;
import org.jvmchat.load.internal.MsgPack;

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
   * A MessagePack invocation without an invocation id, {@code [1, {}, nil, target, [argument], []]}
   * (VarInt length prefix included), as one pre-framed binary frame in {@code b}, which must be
   * empty: {@code argument} writes the one argument.
   */
  static ByteBuf binaryInvocation(ByteBuf b, byte[] encodedTarget, Consumer<ByteBuf> argument) {
    reserve(b);
    int start = MsgPack.beginFrame(b);
    MsgPack.arrayHeader(b, 6);
    MsgPack.uint(b, 1);
    MsgPack.mapHeader(b, 0);
    MsgPack.nil(b);
    b.writeBytes(encodedTarget);
    MsgPack.arrayHeader(b, 1);
    argument.accept(b);
    MsgPack.arrayHeader(b, 0);
    MsgPack.endFrame(b, start);
    return finish(b, b.readerIndex(), BINARY);
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
