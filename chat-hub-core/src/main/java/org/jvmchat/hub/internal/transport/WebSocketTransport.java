package org.jvmchat.hub.internal.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import org.jvmchat.hub.internal.HubConnection;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * The WebSockets transport: frames in are bytes for the connection (text and binary alike, so a
 * MessagePack client may send its handshake as text); each outbound hub message is one frame, text
 * for JSON, binary for MessagePack, all flushed once per drain.
 */
public final class WebSocketTransport extends SimpleChannelInboundHandler<WebSocketFrame>
    implements Transport {
  private final Channel channel;
  private final HubConnection connection;
  private volatile boolean closeReceived;
  private volatile boolean ended;

  public WebSocketTransport(Channel channel, HubConnection connection) {
    this.channel = channel;
    this.connection = connection;
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.WebSockets;
  }

  @Override
  public EventExecutor eventLoop() {
    return channel.eventLoop();
  }

  public void setAutoRead(boolean autoRead) {
    channel.config().setAutoRead(autoRead);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame
        || frame instanceof BinaryWebSocketFrame
        || frame instanceof ContinuationWebSocketFrame) {
      if (!connection.receive(frame.content().nioBuffer())) {
        // Write what is queued (the Close message explaining why) before the close frame.
        drain();
        end();
      }
    } else if (frame instanceof CloseWebSocketFrame) {
      closeReceived = true;
      ctx.writeAndFlush(new CloseWebSocketFrame(1000, null))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    boolean graceful = closeReceived || ended;
    connection.transportClosed(
        this,
        graceful,
        graceful
            ? null
            : new java.io.IOException(
                "The remote party closed the WebSocket connection without completing the close"
                    + " handshake."));
    super.channelInactive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      connection.writable();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void drain() {
    boolean binary = connection.binaryFrames();
    ChannelDrain.drain(
        channel,
        connection,
        bytes -> {
          var content = Unpooled.wrappedBuffer(bytes);
          return binary ? new BinaryWebSocketFrame(content) : new TextWebSocketFrame(content);
        });
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
          .writeAndFlush(new CloseWebSocketFrame(1000, null))
          .addListener(ChannelFutureListener.CLOSE);
      // Do not wait for the peer's close for ever: 5 s, as ASP.NET Core.
      channel.eventLoop().schedule(() -> channel.close(), 5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Override
  public void abort() {
    ended = true;
    channel.close();
  }
}
