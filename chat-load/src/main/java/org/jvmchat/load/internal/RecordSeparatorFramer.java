package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Splits a stream of SignalR text frames into messages at the record separator {@code 0x1E}.
 * Several messages may come in one frame and one message may span frames: whole messages are handed
 * out in place (no copy); only an incomplete tail is kept, in a buffer of its own.
 */
public final class RecordSeparatorFramer {
  public static final byte RS = 0x1E;

  /**
   * Receives one message: {@code buf[from, to)}, separator excluded. Valid only during the call.
   */
  @FunctionalInterface
  public interface Sink {
    void message(ByteBuf buf, int from, int to);
  }

  private final int maxMessage;
  private ByteBuf pending;

  public RecordSeparatorFramer(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** Feeds the content of one frame (not released here). */
  public void feed(ByteBuf in, ByteBufAllocator alloc, Sink sink) {
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

  /** Bytes of an incomplete message waiting for the rest. */
  public int pendingBytes() {
    return pending == null ? 0 : pending.readableBytes();
  }

  public void release() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  private static void drain(ByteBuf buf, Sink sink) {
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

  private void checkSize(int n) {
    if (n > maxMessage) {
      throw new IllegalStateException("message larger than " + maxMessage + " bytes");
    }
  }
}
