package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;

/**
 * {@link SignalRScan} for the MessagePack hub protocol: walks one message body by position (type;
 * for an invocation its target and, for {@code ReceiveMessage}, where the message's {@code content}
 * string starts; for a completion its invocation id and result kind) without decoding anything
 * else.
 */
public final class MsgPackScan {
  private static final byte[] RECEIVE = MsgPack.encoded("ReceiveMessage");
  private static final byte[] CONTENT = MsgPack.encoded("content");

  private MsgPackScan() {}

  public static SignalRScan.Scanned scan(ByteBuf buf, int from, int to) {
    long count = MsgPack.containerCount(buf, from);
    if (count < 1 || (buf.getUnsignedByte(from) & 0xf0) == 0x80) {
      return new SignalRScan.Scanned(-1, -1, -1, false);
    }
    int i = from + MsgPack.headerSize(buf, from);
    int type = (int) MsgPack.integer(buf, i);
    i = MsgPack.skip(buf, i);
    switch (type) {
      case SignalRScan.INVOCATION:
        {
          i = MsgPack.skip(buf, i); // headers
          i = MsgPack.skip(buf, i); // invocation id
          if (!MsgPack.strEquals(buf, i, to, RECEIVE)) {
            return new SignalRScan.Scanned(type, -1, -1, false);
          }
          i += RECEIVE.length;
          if (MsgPack.containerCount(buf, i) < 1) {
            return new SignalRScan.Scanned(type, -1, -1, false);
          }
          i += MsgPack.headerSize(buf, i); // arguments
          long fields = MsgPack.containerCount(buf, i);
          i += MsgPack.headerSize(buf, i); // the message map
          for (long f = 0; f < fields && i < to; f++) {
            boolean content = MsgPack.strEquals(buf, i, to, CONTENT);
            i = MsgPack.skip(buf, i);
            if (content && MsgPack.strLength(buf, i) >= 0) {
              return new SignalRScan.Scanned(type, i + MsgPack.headerSize(buf, i), -1, false);
            }
            i = MsgPack.skip(buf, i);
          }
          return new SignalRScan.Scanned(type, -1, -1, false);
        }
      case SignalRScan.COMPLETION:
        {
          i = MsgPack.skip(buf, i); // headers
          int length = MsgPack.strLength(buf, i);
          long id = -1;
          if (length >= 0) {
            int start = i + MsgPack.headerSize(buf, i);
            id = Bytes.digits(buf, start, start + length);
          }
          i = MsgPack.skip(buf, i);
          boolean error = MsgPack.integer(buf, i) == 1;
          return new SignalRScan.Scanned(type, -1, id, error);
        }
      case SignalRScan.CLOSE:
        return new SignalRScan.Scanned(type, -1, -1, count >= 2 && buf.getUnsignedByte(i) != 0xc0);
      default:
        return new SignalRScan.Scanned(type, -1, -1, false);
    }
  }
}
