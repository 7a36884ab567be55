package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Splits a stream of SignalR binary frames into MessagePack messages at their VarInt length
 * prefixes. Several messages may come in one frame and one message may span frames: whole messages
 * are handed out in place (no copy); only an incomplete tail is kept, in a buffer of its own.
 */
public final class LengthPrefixFramer {
  private final int maxMessage;
  private ByteBuf pending;

  public LengthPrefixFramer(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** Feeds the content of one frame (not released here); the sink gets each message's body. */
  public void feed(ByteBuf in, ByteBufAllocator alloc, RecordSeparatorFramer.Sink sink) {
    if (pending != null && pending.isReadable()) {
      pending.writeBytes(in, in.readerIndex(), in.readableBytes());
      drain(pending, sink);
      if (!pending.isReadable()) {
        pending.release();
        pending = null;
      } else {
        pending.discardReadBytes();
        checkSize(pending.readableBytes());
      }
      return;
    }
    drain(in, sink);
    if (in.isReadable()) {
      checkSize(in.readableBytes());
      if (pending == null) {
        pending = alloc.buffer(Math.max(256, in.readableBytes() * 2));
      }
      pending.writeBytes(in, in.readerIndex(), in.readableBytes());
    }
  }

  public void release() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  private void drain(ByteBuf buf, RecordSeparatorFramer.Sink sink) {
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

  private void checkSize(int n) {
    if (n > maxMessage + 5) {
      throw new IllegalStateException("message larger than " + maxMessage + " bytes");
    }
  }
}
