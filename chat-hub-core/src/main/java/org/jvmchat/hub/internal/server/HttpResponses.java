package org.jvmchat.hub.internal.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jvmchat.hub.http.HttpResponse;

/**
 * Builds and writes the server's HTTP answers: every answer gets the CORS headers of an allowed
 * origin and the instance header (when the server has an instance id); keep-alive is honoured, else
 * the channel is closed after the write.
 */
final class HttpResponses {
  private final CorsPolicy cors;
  private final String instanceId;

  HttpResponses(CorsPolicy cors, String instanceId) {
    this.cors = cors;
    this.instanceId = instanceId;
  }

  /**
   * {@code HubServer.INSTANCE_HEADER}, spelled here so that the HTTP layer does not depend on the
   * public server type (the tests of the header read it through the public constant).
   */
  static final String INSTANCE_HEADER = "X-Chat-Instance";

  CorsPolicy cors() {
    return cors;
  }

  /** The headers every answer to {@code origin} carries: CORS (when allowed) and the instance. */
  void decorate(HttpHeaders h, String origin) {
    cors.addHeaders(h, origin);
    if (instanceId != null) {
      h.set(INSTANCE_HEADER, instanceId);
    }
  }

  /** True when {@link #decorate} would add anything for {@code origin}. */
  boolean decorates(String origin) {
    return (origin != null && cors.allows(origin)) || instanceId != null;
  }

  static FullHttpResponse text(HttpResponseStatus status, String text) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }

  static FullHttpResponse json(byte[] json) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(json));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    HttpUtil.setContentLength(response, json.length);
    return response;
  }

  /** A route's answer as a Netty response. */
  static FullHttpResponse fromRoute(HttpResponse r) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            Unpooled.wrappedBuffer(r.body()));
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      response.headers().set(h.getKey(), h.getValue());
    }
    HttpUtil.setContentLength(response, r.body().length);
    return response;
  }

  void sendText(
      ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String text) {
    send(ctx, req, text(status, text));
  }

  void sendJson(ChannelHandlerContext ctx, FullHttpRequest req, byte[] json) {
    send(ctx, req, json(json));
  }

  /** Answers {@code req}: its keep-alive and its origin decide. */
  void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse response) {
    write(ctx, response, HttpUtil.isKeepAlive(req), req.headers().get(HttpHeaderNames.ORIGIN));
  }

  void write(
      ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, String origin) {
    decorate(response.headers(), origin);
    if (keepAlive) {
      HttpUtil.setKeepAlive(response, true);
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
