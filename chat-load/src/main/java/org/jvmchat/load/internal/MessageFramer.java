package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Splits a stream of SignalR frames into hub messages (a subclass says where one ends). Several
 * messages may come in one frame and one message may span frames: whole messages are handed out in
 * place (no copy); only an incomplete tail is kept, in a buffer of its own. One connection's framer
 * is used by one thread.
 */
public abstract sealed class MessageFramer permits RecordSeparatorFramer, LengthPrefixFramer {
  /** Receives one message: {@code buf[from, to)}, framing excluded. Valid only during the call. */
  @FunctionalInterface
  public interface Sink {
    void message(ByteBuf buf, int from, int to);
  }

  /** The largest message accepted, framing excluded. */
  protected final int maxMessage;

  private ByteBuf pending;

  protected MessageFramer(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** Feeds the content of one frame (not released here); the sink gets each whole message. */
  public final void feed(ByteBuf in, ByteBufAllocator alloc, Sink sink) {
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
  public final int pendingBytes() {
    return pending == null ? 0 : pending.readableBytes();
  }

  public final void release() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  /**
   * Hands every whole message of {@code buf}'s readable bytes to the sink and moves the reader
   * index past the last one.
   */
  protected abstract void drain(ByteBuf buf, Sink sink);

  /** The framing bytes an incomplete message may carry beyond {@link #maxMessage}. */
  protected abstract int framingOverhead();

  private void checkSize(int n) {
    if (n > maxMessage + framingOverhead()) {
      throw new IllegalStateException("message larger than " + maxMessage + " bytes");
    }
  }
}
