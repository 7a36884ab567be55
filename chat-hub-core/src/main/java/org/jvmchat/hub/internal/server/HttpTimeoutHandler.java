package org.jvmchat.hub.internal.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.http.HttpLimits;

/**
 * The HTTP timeouts of one connection (issue #27: slowloris and idle sockets were held forever),
 * between the codec and the rest of the pipeline. A connection is always in one phase:
 *
 * <ul>
 *   <li><b>idle</b> — no request in flight (after accept, after each complete response): closed
 *       after {@link HttpLimits#keepAliveTimeout()};
 *   <li><b>head</b> — bytes arrived but the request head is not complete: {@code 408} and closed
 *       after {@link HttpLimits#requestHeadersTimeout()};
 *   <li><b>body</b> — the head arrived, the body has not ended: {@code 408} and closed after {@link
 *       HttpLimits#requestBodyTimeout()};
 *   <li><b>busy</b> — the request is complete and its response not yet written: no timeout (a long
 *       poll or an SSE stream may last; the hub watches those).
 * </ul>
 *
 * A WebSocket upgrade (a {@code 101} written) removes this handler: the hub's keep-alive and client
 * timeout watch the socket from then on. Runs on the channel's event loop only.
 */
final class HttpTimeoutHandler extends ChannelDuplexHandler {
  private enum Phase {
    IDLE,
    HEAD,
    BODY,
    BUSY
  }

  private final HttpLimits limits;
  private Phase phase = Phase.IDLE;
  // A request arrived since the last channelReadComplete: a response written synchronously (an
  // authentication on the event loop, a CORS preflight) has already moved the phase back to IDLE
  // by then, which is not a request head in progress.
  private boolean requestInThisRead;
  private ScheduledFuture<?> timer;

  HttpTimeoutHandler(HttpLimits limits) {
    this.limits = limits;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      enter(ctx, Phase.IDLE);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    enter(ctx, Phase.IDLE);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      requestInThisRead = true;
      enter(ctx, msg instanceof LastHttpContent ? Phase.BUSY : Phase.BODY);
    } else if (msg instanceof LastHttpContent && phase == Phase.BODY) {
      enter(ctx, Phase.BUSY);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Bytes arrived that did not complete a request head (else channelRead moved us on). After a
    // request answered within this read, IDLE stays (its keep-alive timeout bounds the connection
    // even if part of a pipelined next head came with it).
    if (phase == Phase.IDLE && !requestInThisRead) {
      enter(ctx, Phase.HEAD);
    }
    requestInThisRead = false;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse r
        && r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      ctx.write(msg, promise);
      ctx.pipeline().remove(this);
      return;
    }
    if (msg instanceof LastHttpContent && phase == Phase.BUSY) {
      enter(ctx, Phase.IDLE);
    }
    ctx.write(msg, promise);
  }

  private void enter(ChannelHandlerContext ctx, Phase next) {
    cancel();
    phase = next;
    java.time.Duration timeout =
        switch (next) {
          case IDLE -> limits.keepAliveTimeout();
          case HEAD -> limits.requestHeadersTimeout();
          case BODY -> limits.requestBodyTimeout();
          case BUSY -> null;
        };
    if (timeout != null) {
      timer =
          ctx.executor()
              .schedule(() -> expired(ctx, next), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void expired(ChannelHandlerContext ctx, Phase expired) {
    if (phase != expired || !ctx.channel().isActive()) {
      return;
    }
    timer = null;
    if (expired == Phase.IDLE) {
      ctx.close();
      return;
    }
    phase = Phase.BUSY; // nothing more from this connection is read or timed
    FullHttpResponse response =
        HttpResponses.text(
            HttpResponseStatus.REQUEST_TIMEOUT,
            expired == Phase.HEAD
                ? "The request head did not arrive in time."
                : "The request body did not arrive in time.");
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
