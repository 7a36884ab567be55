package org.jvmchat.hub.internal.transport;

import io.netty.buffer.ByteBuf;
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
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSockets transport: frames in are bytes for the connection (text and binary alike, so a
 * MessagePack client may send its handshake as text); each outbound hub message is one frame, text
 * for JSON, binary for MessagePack, all flushed once per drain.
 */
public final class WebSocketTransport extends SimpleChannelInboundHandler<WebSocketFrame>
    implements Transport {
  private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

  private final Channel channel;
  private final TransportConnection connection;
  private final Outbound outbound;
  private volatile boolean closeReceived;
  private volatile boolean ended;
  boolean flushPending; // event loop: in its LoopFlush's list

  public WebSocketTransport(Channel channel, TransportConnection connection, Outbound outbound) {
    this.channel = channel;
    this.connection = connection;
    this.outbound = outbound;
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.WebSockets;
  }

  @Override
  public EventExecutor eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public boolean supportsStatefulReconnect() {
    return true;
  }

  /** Stops reading frames (TCP back-pressure reaches the client) until {@link #resumeReading}. */
  @Override
  public void pauseReading() {
    channel.config().setAutoRead(false);
  }

  @Override
  public boolean pausesAtTheSocket() {
    return true;
  }

  @Override
  public void resumeReading() {
    channel.config().setAutoRead(true);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame
        || frame instanceof BinaryWebSocketFrame
        || frame instanceof ContinuationWebSocketFrame) {
      if (!connection.receive(frame.content().nioBuffer())) {
        // The connection has ended (its Close message already written by the close): end this
        // socket too, in case it is one the connection no longer uses.
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
    // The socket failed (a reset, a frame the decoder refused): closing it ends or suspends the
    // connection through channelInactive; the cause is only worth a line at debug.
    log.debug("WebSocket {} failed; closing it", ctx.channel(), cause);
    ctx.close();
  }

  @Override
  public void drain() {
    ChannelDrain.drain(channel, outbound, outbound.binary() ? BINARY : TEXT);
  }

  private static final ChannelDrain.Framer TEXT = new FrameWriter(WebSocketFrames.TEXT);
  private static final ChannelDrain.Framer BINARY = new FrameWriter(WebSocketFrames.BINARY);

  /**
   * Server-to-client WebSocket frames written straight into the batch ({@link WebSocketFrames}).
   * The batch is a plain buffer, which Netty's frame encoder passes through untouched; control
   * frames (close, pong) still go through the encoder, in order, on the same event loop.
   */
  private record FrameWriter(int opcode) implements ChannelDrain.Framer {
    @Override
    public int overhead(int length) {
      return WebSocketFrames.overhead(length);
    }

    @Override
    public void append(ByteBuf batch, byte[] payload) {
      WebSocketFrames.append(batch, opcode, payload);
    }

    @Override
    public Object wrap(ByteBuf batch) {
      return batch;
    }

    @Override
    public boolean wireReady() {
      return true;
    }
  }

  @Override
  public boolean writeShared(SharedFrames frames, HubProtocol protocol, LoopFlush flush) {
    ByteBuf frame = frames.frame(protocol);
    if (frame == null || ended || !channel.isWritable() || !channel.eventLoop().inEventLoop()) {
      return false;
    }
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first == null) {
      return false;
    }
    // From the first handler's context: complete wire bytes, straight to the socket (as a drain's
    // batch); the duplicate holds its own reference until the socket wrote it.
    first.write(frame.retainedDuplicate(), channel.voidPromise());
    flush.wrote(this);
    return true;
  }

  /** Event loop, from {@link LoopFlush}: flushes what {@link #writeShared} wrote. */
  void flushShared() {
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first != null) {
      first.flush();
    } else {
      channel.flush();
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
