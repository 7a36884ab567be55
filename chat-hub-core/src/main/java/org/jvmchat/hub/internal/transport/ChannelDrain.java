package org.jvmchat.hub.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;

/**
 * The write side shared by the socket transports: take the connection's queued messages from its
 * {@link Outbound} while the socket is writable and frame them all into one pooled direct buffer,
 * so a drain is one write and one flush (one syscall) however many messages it carries, and no
 * per-message buffer or frame object is allocated.
 */
final class ChannelDrain {
  /** A batch is written out once it reaches this size, and a new one started. */
  static final int MAX_BATCH_BYTES = 64 * 1024;

  private static final int MIN_BATCH_CAPACITY = 256;

  private ChannelDrain() {}

  /** How a transport frames messages into a batch, and wraps the batch for its pipeline. */
  interface Framer {
    /** Bytes the framing adds to a payload of {@code length} bytes, at most. */
    int overhead(int length);

    /** Appends one message, framed. */
    void append(ByteBuf batch, byte[] payload);

    /** What to write to the channel for a batch (the buffer itself, or an HTTP chunk of it). */
    Object wrap(ByteBuf batch);

    /**
     * Whether the batch is complete wire bytes that no handler of the pipeline may touch: then it
     * is written from the first handler's context, straight to the socket, instead of walking every
     * handler from the tail (WebSocket frames; not SSE, whose chunks the HTTP encoder frames).
     */
    default boolean wireReady() {
      return false;
    }
  }

  static void drain(Channel channel, Outbound outbound, Framer framer) {
    ChannelOutboundInvoker out = channel;
    if (framer.wireReady()) {
      ChannelHandlerContext first = channel.pipeline().firstContext();
      if (first != null) {
        out = first;
      }
    }
    ByteBuf batch = null;
    boolean wrote = false;
    while (batch != null || channel.isWritable()) {
      byte[] bytes = outbound.poll();
      if (bytes == null) {
        break;
      }
      if (batch == null) {
        batch =
            channel
                .alloc()
                .directBuffer(
                    Math.max(MIN_BATCH_CAPACITY, bytes.length + framer.overhead(bytes.length)));
      }
      framer.append(batch, bytes);
      if (batch.readableBytes() >= MAX_BATCH_BYTES) {
        out.write(framer.wrap(batch), channel.voidPromise());
        batch = null;
        wrote = true;
      }
    }
    if (batch != null) {
      out.write(framer.wrap(batch), channel.voidPromise());
      wrote = true;
    }
    if (wrote) {
      out.flush();
    }
  }

  /**
   * Bytes handed to the channel but not yet written to the socket (at least the high mark when
   * unwritable).
   */
  static long pendingWriteBytes(Channel channel) {
    return Math.max(
        0, channel.config().getWriteBufferHighWaterMark() - channel.bytesBeforeUnwritable());
  }
}
