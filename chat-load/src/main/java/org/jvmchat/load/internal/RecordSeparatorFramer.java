package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;

/** Splits a stream of SignalR text frames into messages at the record separator {@code 0x1E}. */
public final class RecordSeparatorFramer extends MessageFramer {
  public static final byte RS = 0x1E;

  public RecordSeparatorFramer(int maxMessage) {
    super(maxMessage);
  }

  @Override
  protected void drain(ByteBuf buf, Sink sink) {
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    while (start < end) {
      int rs = buf.indexOf(start, end, RS);
      if (rs < 0) {
        break;
      }
      sink.message(buf, start, rs);
      start = rs + 1;
    }
    buf.readerIndex(start);
  }

  @Override
  protected int framingOverhead() {
    return 0;
  }
}
