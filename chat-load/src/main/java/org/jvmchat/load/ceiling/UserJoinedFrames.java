package org.jvmchat.load.ceiling;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import org.jvmchat.load.internal.MsgPack;
import org.jvmchat.load.internal.RecordSeparatorFramer;

/**
 * The {@code UserJoined} invocation {@code {roomId, userId, userName}} as one pre-framed WebSocket
 * frame ({@link WsFrames}) per hub protocol, in the chat server's shape (its {@code UserEvent}:
 * those three fields in that order; in MessagePack {@code [1, {}, nil, "UserJoined", [{...}],
 * []]}). The ceiling's user is its connection: {@code userName} is the {@code userId}.
 */
final class UserJoinedFrames {
  private static final byte[] USER_JOINED = MsgPack.encoded("UserJoined");
  private static final byte[] K_ROOM_ID = MsgPack.encoded("roomId");
  private static final byte[] K_USER_ID = MsgPack.encoded("userId");
  private static final byte[] K_USER_NAME = MsgPack.encoded("userName");

  private UserJoinedFrames() {}

  /** The JSON text frame (record separator included); the caller owns the buffer. */
  static ByteBuf json(ByteBufAllocator alloc, String roomId, String userId) throws IOException {
    ByteBuf b = alloc.buffer(capacity(roomId, userId));
    WsFrames.reserve(b);
    int payload = b.writerIndex();
    try (JsonGenerator g = CeilingHandler.generator(b)) {
      g.writeStartObject();
      g.writeNumberField("type", 1);
      g.writeStringField("target", "UserJoined");
      g.writeArrayFieldStart("arguments");
      g.writeStartObject();
      g.writeStringField("roomId", roomId);
      g.writeStringField("userId", userId);
      g.writeStringField("userName", userId);
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException | RuntimeException e) {
      b.release();
      throw e;
    }
    b.writeByte(RecordSeparatorFramer.RS);
    return WsFrames.finish(b, payload, WsFrames.TEXT);
  }

  /** The MessagePack binary frame (VarInt length prefix included); the caller owns the buffer. */
  static ByteBuf binary(ByteBufAllocator alloc, String roomId, String userId) {
    return WsFrames.binaryInvocation(
        alloc.buffer(capacity(roomId, userId)),
        USER_JOINED,
        b -> {
          MsgPack.mapHeader(b, 3);
          b.writeBytes(K_ROOM_ID);
          MsgPack.str(b, roomId);
          b.writeBytes(K_USER_ID);
          MsgPack.str(b, userId);
          b.writeBytes(K_USER_NAME);
          MsgPack.str(b, userId);
        });
  }

  /** Room for the frame header, the fixed JSON text and the strings (UTF-8, escapes). */
  private static int capacity(String roomId, String userId) {
    return 128 + 3 * (roomId.length() + 2 * userId.length());
  }
}
