package org.jvmchat.hub.internal.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.hub.http.HttpLimits;

/**
 * Counts the open connections of one server, in total and per remote address, against {@link
 * HttpLimits#maxConnections()} and {@link HttpLimits#maxConnectionsPerAddress()}. A connection over
 * a limit is answered {@code 503} with {@code Connection: close} and closed before any of its bytes
 * are read. Thread-safe.
 */
final class ConnectionLimiter {
  private final HttpLimits limits;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<Object, AtomicInteger> byAddress = new ConcurrentHashMap<>();
  // One listener for every channel, not a lambda per channel.
  private final ChannelFutureListener closed = f -> open.decrementAndGet();

  ConnectionLimiter(HttpLimits limits) {
    this.limits = limits;
  }

  /**
   * Counts {@code ch} (released when it closes) and returns null, or returns why it is refused
   * (then nothing is counted).
   */
  String admit(Channel ch) {
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      return "Too many connections to this server.";
    }
    Object address = address(ch.remoteAddress());
    if (limits.maxConnectionsPerAddress() > 0) {
      AtomicInteger count = byAddress.computeIfAbsent(address, a -> new AtomicInteger());
      if (count.incrementAndGet() > limits.maxConnectionsPerAddress()) {
        release(address);
        open.decrementAndGet();
        return "Too many connections from this address.";
      }
      ch.closeFuture().addListener(f -> release(address));
    }
    ch.closeFuture().addListener(closed);
    return null;
  }

  /** Open connections counted (tests). */
  int open() {
    return open.get();
  }

  private void release(Object address) {
    byAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  private static Object address(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet) {
      InetAddress a = inet.getAddress();
      return a != null ? a : inet.getHostString();
    }
    return String.valueOf(remote);
  }

  /** The whole pipeline of a refused connection: one 503, then close. */
  static final class Refuse extends ChannelInboundHandlerAdapter {
    private final String reason;

    Refuse(String reason) {
      this.reason = reason;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      byte[] body = reason.getBytes(StandardCharsets.UTF_8);
      String head =
          "HTTP/1.1 503 Service Unavailable\r\n"
              + "content-type: text/plain; charset=utf-8\r\n"
              + "content-length: "
              + body.length
              + "\r\nretry-after: 1\r\nconnection: close\r\n\r\n";
      ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
          .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }
}
