package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;

/**
 * One Engine.IO v4 packet over WebSocket (one packet per text frame), with the Socket.IO v5 packet
 * inside message packets: {@code 0{...}} open, {@code 2} ping, {@code 3} pong, {@code 40{...}}
 * connect, {@code 41} disconnect, {@code 42[id]["event",...]} event, {@code 43<id>[...]} ack,
 * {@code 44{...}} connect error. Only the default namespace is used.
 *
 * @param type what it is
 * @param ackId the ack id of an event or ack packet, else -1
 * @param dataAt index of the JSON payload (after type and id), or the end when there is none
 * @param contentAt index of a {@code message} event's content (first character), else -1
 */
public record SocketIoPacket(Type type, long ackId, int dataAt, int contentAt) {
  public enum Type {
    OPEN,
    CLOSE,
    PING,
    PONG,
    CONNECT,
    DISCONNECT,
    EVENT,
    ACK,
    CONNECT_ERROR,
    OTHER
  }

  private static final byte[] MESSAGE_EVENT = Bytes.ascii("[\"message\",");
  private static final byte[] CONTENT = Bytes.ascii("\"content\":\"");

  public static SocketIoPacket parse(ByteBuf buf) {
    return parse(buf, buf.readerIndex(), buf.writerIndex());
  }

  public static SocketIoPacket parse(ByteBuf buf, int from, int to) {
    if (from >= to) {
      return new SocketIoPacket(Type.OTHER, -1, to, -1);
    }
    switch (buf.getByte(from)) {
      case '0':
        return new SocketIoPacket(Type.OPEN, -1, from + 1, -1);
      case '1':
        return new SocketIoPacket(Type.CLOSE, -1, from + 1, -1);
      case '2':
        return new SocketIoPacket(Type.PING, -1, from + 1, -1);
      case '3':
        return new SocketIoPacket(Type.PONG, -1, from + 1, -1);
      case '4':
        break;
      default:
        return new SocketIoPacket(Type.OTHER, -1, from + 1, -1);
    }
    if (from + 1 >= to) {
      return new SocketIoPacket(Type.OTHER, -1, to, -1);
    }
    byte sio = buf.getByte(from + 1);
    int i = from + 2;
    Type type;
    switch (sio) {
      case '0':
        type = Type.CONNECT;
        break;
      case '1':
        type = Type.DISCONNECT;
        break;
      case '2':
        type = Type.EVENT;
        break;
      case '3':
        type = Type.ACK;
        break;
      case '4':
        type = Type.CONNECT_ERROR;
        break;
      default:
        return new SocketIoPacket(Type.OTHER, -1, i, -1);
    }
    if (type != Type.EVENT && type != Type.ACK) {
      return new SocketIoPacket(type, -1, i, -1);
    }
    long ackId = Bytes.digits(buf, i, to);
    while (i < to && buf.getByte(i) >= '0' && buf.getByte(i) <= '9') {
      i++;
    }
    int contentAt = -1;
    if (type == Type.EVENT && startsWith(buf, i, to, MESSAGE_EVENT)) {
      int c = Bytes.indexOf(buf, i, to, CONTENT);
      contentAt = c < 0 ? -1 : c + CONTENT.length;
    }
    return new SocketIoPacket(type, ackId, i, contentAt);
  }

  private static boolean startsWith(ByteBuf buf, int at, int to, byte[] prefix) {
    if (to - at < prefix.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (buf.getByte(at + k) != prefix[k]) {
        return false;
      }
    }
    return true;
  }
}
