package org.jvmchat.hub.internal.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.http.UnauthorizedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's plain routes ({@code HubServer.Builder.route}): the handler runs on the
 * executor with the user the authenticator found (or none: a route decides itself whether it needs
 * one); a route that throws gives a problem+json 500, a full executor 503, an unknown path 404 and
 * a known path with another method 405. {@code HEAD} is served by a {@code GET} route, without the
 * body.
 */
final class PlainRoutes {
  private static final Logger log = LoggerFactory.getLogger(PlainRoutes.class);

  private final HttpServerContext context;
  private final HttpResponses responses;

  PlainRoutes(HttpServerContext context) {
    this.context = context;
    this.responses = context.responses();
  }

  void route(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri) {
    boolean[] mismatch = new boolean[1];
    RouteTable.Match match = context.routes().find(req.method().name(), uri.path(), mismatch);
    if (match == null) {
      responses.send(
          ctx,
          req,
          HttpResponses.fromRoute(
              HttpResponse.problem(
                  mismatch[0] ? 405 : 404,
                  mismatch[0] ? "Method Not Allowed" : "Not Found",
                  mismatch[0]
                      ? "This path does not accept " + req.method().name() + "."
                      : "No resource at " + uri.path() + ".")));
      return;
    }
    HttpRequest request = toPublicRequest(ctx, req, uri, match.parameters(), true);
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    boolean head = req.method() == HttpMethod.HEAD;
    try {
      context
          .executor()
          .execute(
              () -> {
                FullHttpResponse r = HttpResponses.fromRoute(run(match, request));
                if (head) {
                  r.content().clear();
                }
                ctx.channel().eventLoop().execute(() -> responses.write(ctx, r, keepAlive, origin));
              });
    } catch (RejectedExecutionException e) {
      responses.send(
          ctx,
          req,
          HttpResponses.fromRoute(
              HttpResponse.problem(503, "Service Unavailable", "The server is too busy.")));
    }
  }

  /** Runs the route's handler (on the executor); never throws. */
  private HttpResponse run(RouteTable.Match match, HttpRequest request) {
    try {
      HubUser user;
      try {
        // A route never takes the token from the query (issue #27: tokens in URLs end up in
        // proxy logs); only the hub transports' GET requests may.
        user = context.authenticator().authenticate(withoutQueryToken(request));
      } catch (UnauthorizedException e) {
        user = null;
      }
      HttpResponse response = match.route().handler().handle(request.withUser(user));
      return response == null ? HttpResponse.noContent() : response;
    } catch (Exception e) {
      log.error("Route {} {} failed", request.method(), request.path(), e);
      return HttpResponse.problem(
          500, "Internal Server Error", "The request could not be completed.");
    }
  }

  /** The name of the query parameter that may carry a bearer token on hub transport requests. */
  static final String QUERY_TOKEN = "access_token";

  /** {@code request} without the {@value #QUERY_TOKEN} query parameter. */
  static HttpRequest withoutQueryToken(HttpRequest request) {
    if (!request.queryParameters().containsKey(QUERY_TOKEN)) {
      return request;
    }
    Map<String, List<String>> query = new LinkedHashMap<>(request.queryParameters());
    query.remove(QUERY_TOKEN);
    return new HttpRequest(
        request.method(),
        request.path(),
        query,
        request.headers(),
        request.pathParameters(),
        request.body(),
        request.remoteAddress(),
        request.user());
  }

  /**
   * The public view of a Netty request: header names in lower case, the body copied when asked
   * (routes) or empty (authentication of hub requests), no user yet.
   */
  static HttpRequest toPublicRequest(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder uri,
      Map<String, String> params,
      boolean withBody) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : req.headers()) {
      headers
          .computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(h.getValue());
    }
    byte[] body = withBody ? ByteBufUtil.getBytes(req.content()) : new byte[0];
    return new HttpRequest(
        req.method().name(),
        uri.path(),
        uri.parameters(),
        headers,
        params,
        body,
        String.valueOf(ctx.channel().remoteAddress()),
        null);
  }
}
