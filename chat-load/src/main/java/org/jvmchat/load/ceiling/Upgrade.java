package org.jvmchat.load.ceiling;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The WebSocket upgrade at {@code /hubs/chat} (and paths below it), shared by every connection:
 * answers it as Netty's {@code WebSocketServerProtocolHandler} does (101; the version-unsupported
 * answer for an unknown version; 400 with the reason for a bad upgrade; 404, where that handler
 * left the request unanswered, for any other path) and then leaves nothing behind: the handshake
 * swaps the HTTP codec and aggregator for the WebSocket decoder and encoder, and this handler
 * removes itself. No protocol handler, frame aggregator, UTF-8 validator or handshaker attribute
 * stays in the pipeline (the chat server keeps none either): {@link CeilingHandler} answers pings
 * and close frames itself and reassembles messages across frames with its framer.
 */
@ChannelHandler.Sharable
final class Upgrade extends ChannelInboundHandlerAdapter {
  static final String PATH = "/hubs/chat";

  private final WebSocketDecoderConfig decoderConfig;

  Upgrade(WebSocketDecoderConfig decoderConfig) {
    this.decoderConfig = decoderConfig;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (!isWebSocketPath(req.uri())) {
        answer(ctx, HttpResponseStatus.NOT_FOUND, "");
        return;
      }
      String location = "ws://" + req.headers().get(HttpHeaderNames.HOST) + PATH;
      WebSocketServerHandshaker handshaker =
          new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(req);
      if (handshaker == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        return;
      }
      ctx.pipeline().remove(this);
      handshaker
          .handshake(ctx.channel(), req)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  ctx.channel().close();
                }
              });
    } catch (WebSocketHandshakeException e) {
      answer(ctx, HttpResponseStatus.BAD_REQUEST, String.valueOf(e.getMessage()));
    } finally {
      ReferenceCountUtil.release(req);
    }
  }

  private static void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
    DefaultFullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    HttpUtil.setContentLength(response, response.content().readableBytes());
    ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private static boolean isWebSocketPath(String uri) {
    return uri.startsWith(PATH)
        && (uri.length() == PATH.length() || "/?".indexOf(uri.charAt(PATH.length())) >= 0);
  }
}
