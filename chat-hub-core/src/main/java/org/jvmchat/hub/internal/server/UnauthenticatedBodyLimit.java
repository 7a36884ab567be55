package org.jvmchat.hub.internal.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpLimits;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a large body only for a user (issue #27: 600 anonymous sockets parking 1 MiB bodies each
 * took 450 MB). A request whose {@code Content-Length} exceeds {@link
 * HttpLimits#maxUnauthenticatedBodySize()}, or whose body is chunked, is held with reading paused
 * while the authenticator looks at its head (on the executor, as every authentication); with a user
 * it goes on to the aggregator (whose limit is the server's largest body), without one it gets
 * {@code 413} with {@code Connection: close} and its body is never read. Smaller bodies pass at
 * once. Runs on the channel's event loop.
 */
final class UnauthenticatedBodyLimit extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(UnauthenticatedBodyLimit.class);

  private final HttpServerContext context;
  private final int limit;
  private List<Object> held; // non-null while a request's head is being authenticated
  private boolean refused; // the rest of a refused request is dropped until the close

  UnauthenticatedBodyLimit(HttpServerContext context, int limit) {
    this.context = context;
    this.limit = limit;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (held != null) {
      held.add(msg);
      return;
    }
    if (msg instanceof HttpRequest req && !(msg instanceof LastHttpContent) && large(req)) {
      held = new ArrayList<>();
      held.add(msg);
      ctx.channel().config().setAutoRead(false);
      org.jvmchat.hub.http.HttpRequest view = headOnly(ctx, req);
      try {
        context
            .executor()
            .execute(
                () -> {
                  HubUser user;
                  try {
                    user = context.authenticator().authenticate(view);
                  } catch (RuntimeException | org.jvmchat.hub.http.UnauthorizedException e) {
                    user = null;
                  }
                  boolean allowed = user != null;
                  ctx.executor().execute(() -> decide(ctx, allowed));
                });
      } catch (RejectedExecutionException e) {
        refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "The server is too busy.");
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private boolean large(HttpRequest req) {
    if (HttpUtil.getContentLength(req, 0L) <= limit && !HttpUtil.isTransferEncodingChunked(req)) {
      return false;
    }
    // A hub that lets anonymous users in reads their POSTs whatever the credentials.
    String path = new QueryStringDecoder(req.uri()).path();
    for (HubEndpoint endpoint : context.endpoints()) {
      if (path.equals(endpoint.path()) || path.equals(endpoint.path() + "/negotiate")) {
        return endpoint.mapping().requireAuthenticatedUser();
      }
    }
    return true;
  }

  private void decide(ChannelHandlerContext ctx, boolean allowed) {
    if (held == null) {
      return; // the channel closed meanwhile
    }
    if (!allowed) {
      log.debug("413 for an unauthenticated body over {} bytes", limit);
      refuse(
          ctx,
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "A request body over " + limit + " bytes needs valid credentials.");
      return;
    }
    List<Object> pass = held;
    held = null;
    for (Object m : pass) {
      ctx.fireChannelRead(m);
    }
    ctx.fireChannelReadComplete();
    ctx.channel().config().setAutoRead(true);
  }

  private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
    refused = true;
    releaseHeld();
    FullHttpResponse response = HttpResponses.text(status, text);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private void releaseHeld() {
    if (held != null) {
      held.forEach(ReferenceCountUtil::release);
      held = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseHeld();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  /** The head as authenticators see requests (no body). */
  private static org.jvmchat.hub.http.HttpRequest headOnly(
      ChannelHandlerContext ctx, HttpRequest req) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : req.headers()) {
      headers
          .computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(h.getValue());
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    return PlainRoutes.withoutQueryToken(
        new org.jvmchat.hub.http.HttpRequest(
            req.method().name(),
            uri.path(),
            uri.parameters(),
            headers,
            Map.of(),
            null,
            String.valueOf(ctx.channel().remoteAddress()),
            null));
  }
}
