package org.jvmchat.hub.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Server-Sent Events transport (server to client; the client sends by POST). Every outbound
 * message is one event: a {@code data: } line per line of the payload, then an empty line.
 */
public final class ServerSentEventsTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(ServerSentEventsTransport.class);
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};

  private final Channel channel;
  private final Outbound outbound;
  private volatile boolean ended;

  public ServerSentEventsTransport(
      Channel channel, TransportConnection connection, Outbound outbound) {
    this.channel = channel;
    this.outbound = outbound;
    channel.closeFuture().addListener(f -> connection.transportClosed(this, ended, null));
    // drain() stops while the socket is not writable; resume when it is again.
    channel
        .pipeline()
        .addLast(
            "sse-writability",
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (ctx.channel().isWritable()) {
                  connection.writable();
                }
                ctx.fireChannelWritabilityChanged();
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                log.debug("SSE stream {} failed; closing it", ctx.channel(), cause);
                ctx.close();
              }
            });
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.ServerSentEvents;
  }

  @Override
  public EventExecutor eventLoop() {
    return channel.eventLoop();
  }

  /** SSE carries text only: a binary protocol is refused at the handshake. */
  @Override
  public boolean supportsBinary() {
    return false;
  }

  @Override
  public void drain() {
    ChannelDrain.drain(channel, outbound, EVENTS);
  }

  private static final ChannelDrain.Framer EVENTS = new EventWriter();

  /**
   * One SSE event per message: a {@code data: } line per line of the payload, then an empty line.
   */
  private static final class EventWriter implements ChannelDrain.Framer {
    @Override
    public int overhead(int length) {
      return 16;
    }

    @Override
    public void append(ByteBuf buf, byte[] bytes) {
      int start = 0;
      for (int i = 0; i <= bytes.length; i++) {
        if (i == bytes.length || bytes[i] == '\n') {
          int end = i;
          if (end > start && bytes[end - 1] == '\r') {
            end--;
          }
          if (i < bytes.length || end > start) {
            buf.writeBytes(DATA).writeBytes(bytes, start, end - start).writeBytes(CRLF);
          }
          start = i + 1;
        }
      }
      buf.writeBytes(CRLF);
    }

    @Override
    public Object wrap(ByteBuf batch) {
      return new DefaultHttpContent(batch);
    }
  }

  @Override
  public long pendingWriteBytes() {
    return ChannelDrain.pendingWriteBytes(channel);
  }

  @Override
  public void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (channel.isActive()) {
      channel
          .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void abort() {
    ended = true;
    channel.close();
  }
}
