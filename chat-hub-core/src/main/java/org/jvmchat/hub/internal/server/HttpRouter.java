package org.jvmchat.hub.internal.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP channel: answers undecodable requests (400) and CORS preflights,
 * sends {@code <hub>/negotiate} to {@link Negotiation} and {@code <hub>} to the {@link
 * NettyConnectionLayer} (both after {@link HubAuthentication}), and everything else to the {@link
 * PlainRoutes} (which answer 404 / 405 for unknown paths and methods).
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

  private final HttpServerContext context;
  private final HubAuthentication authentication;
  private final Negotiation negotiation;
  private final NettyConnectionLayer connections;
  private final PlainRoutes routes;
  private final org.jvmchat.hub.HubRequestObserver observer; // null: none (nothing tracked)

  HttpRouter(
      HttpServerContext context,
      HubAuthentication authentication,
      Negotiation negotiation,
      NettyConnectionLayer connections,
      PlainRoutes routes) {
    this.context = context;
    this.authentication = authentication;
    this.negotiation = negotiation;
    this.connections = connections;
    this.routes = routes;
    this.observer =
        context.endpoints().isEmpty() ? null : context.endpoints().get(0).requestObserver();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (observer != null) {
      observe(ctx, req);
    }
    HttpResponses responses = context.responses();
    if (!req.decoderResult().isSuccess()) {
      responses.sendText(ctx, req, HttpResponseStatus.BAD_REQUEST, "Bad request");
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (req.method() == HttpMethod.OPTIONS && origin != null) {
      responses.write(
          ctx, responses.cors().preflight(req, origin), HttpUtil.isKeepAlive(req), null);
      return;
    }
    for (HubEndpoint endpoint : context.endpoints()) {
      boolean negotiate = path.equals(endpoint.path() + "/negotiate");
      if (negotiate && context.isStopping()) {
        // A stopping server must not start connections: refuse, and close this keep-alive
        // connection so that the client's retry opens a new one (to the next server).
        responses.write(
            ctx,
            HttpResponses.text(
                HttpResponseStatus.SERVICE_UNAVAILABLE, "The server is shutting down"),
            false,
            origin);
        return;
      }
      if (negotiate) {
        authentication.authenticateThen(ctx, req, uri, endpoint, true, negotiation::negotiate);
        return;
      }
      if (path.equals(endpoint.path())) {
        // A GET without a connection token starts a connection (a WebSocket skipping negotiate).
        boolean opens = req.method() == HttpMethod.GET && !uri.parameters().containsKey("id");
        authentication.authenticateThen(ctx, req, uri, endpoint, opens, connections::dispatch);
        return;
      }
    }
    routes.route(ctx, req, uri);
  }

  /**
   * Tells the {@link org.jvmchat.hub.HubRequestObserver} of a hub request (see ObservedRequests).
   */
  private void observe(ChannelHandlerContext ctx, FullHttpRequest req) {
    String hubPath = null;
    String route = null;
    if (req.decoderResult().isSuccess()
        && !(req.method() == HttpMethod.OPTIONS
            && req.headers().contains(HttpHeaderNames.ORIGIN))) {
      String path = new QueryStringDecoder(req.uri()).path();
      for (HubEndpoint endpoint : context.endpoints()) {
        if (path.equals(endpoint.path()) || path.equals(endpoint.path() + "/negotiate")) {
          hubPath = endpoint.path();
          route = path;
          break;
        }
      }
    }
    ObservedRequests.request(ctx, observer, req, hubPath, route);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP channel error", cause);
    ctx.close();
  }
}
