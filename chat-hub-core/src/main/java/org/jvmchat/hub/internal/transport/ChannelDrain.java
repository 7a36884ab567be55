package org.jvmchat.hub.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.function.Function;
import org.jvmchat.hub.internal.HubConnection;

/**
 * The write side shared by the socket transports: take the connection's queued messages while the
 * socket is writable, one frame or event each, and flush once for all of them.
 */
final class ChannelDrain {
  private ChannelDrain() {}

  static void drain(Channel channel, HubConnection connection, Function<byte[], Object> frame) {
    boolean wrote = false;
    while (channel.isWritable()) {
      byte[] bytes = connection.pollOutbound();
      if (bytes == null) {
        break;
      }
      channel.write(frame.apply(bytes));
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  /** Bytes handed to the channel but not yet written to the socket. */
  static long pendingWriteBytes(Channel channel) {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }
}
