package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;

/**
 * Splits a stream of SignalR binary frames into MessagePack messages at their VarInt length
 * prefixes (at most five bytes).
 */
public final class LengthPrefixFramer extends MessageFramer {
  public LengthPrefixFramer(int maxMessage) {
    super(maxMessage);
  }

  @Override
  protected void drain(ByteBuf buf, Sink sink) {
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    while (start < end) {
      long length = 0;
      int i = start;
      int shift = 0;
      boolean complete = false;
      while (i < end && shift <= 28) {
        int b = buf.getUnsignedByte(i++);
        length |= (long) (b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) == 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (shift > 28) {
          throw new IllegalStateException("bad length prefix");
        }
        break;
      }
      if (length > maxMessage) {
        throw new IllegalStateException("message larger than " + maxMessage + " bytes");
      }
      if (end - i < length) {
        break;
      }
      sink.message(buf, i, i + (int) length);
      start = i + (int) length;
    }
    buf.readerIndex(start);
  }

  @Override
  protected int framingOverhead() {
    return 5;
  }
}
