package org.jvmchat.hub.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.internal.transport.LongPollingTransport;
import org.jvmchat.hub.internal.transport.SseTransport;
import org.jvmchat.hub.internal.transport.WebSocketTransport;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.AvailableTransport;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns HTTP into SignalR connections (negotiate, WebSocket upgrade, SSE, long polling, POST sends,
 * DELETE) and serves plain routes. Authentication and routes run on the blocking executor;
 * everything touching the channel runs on its event loop.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

  private final NettyHubServer server;

  HttpRequestHandler(NettyHubServer server) {
    this.server = server;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      sendText(ctx, req, HttpResponseStatus.BAD_REQUEST, "Bad request");
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (req.method() == HttpMethod.OPTIONS && origin != null) {
      preflight(ctx, req, origin);
      return;
    }
    for (HubEndpoint endpoint : server.endpoints()) {
      boolean negotiate = path.equals(endpoint.path() + "/negotiate");
      if (negotiate && server.isStopping()) {
        // A stopping server must not start connections: refuse, and close this keep-alive
        // connection so that the client's retry opens a new one (to the next server).
        write(
            ctx,
            textResponse(HttpResponseStatus.SERVICE_UNAVAILABLE, "The server is shutting down"),
            false,
            origin);
        return;
      }
      if (negotiate || path.equals(endpoint.path())) {
        authenticateThen(ctx, req, uri, endpoint, negotiate);
        return;
      }
    }
    route(ctx, req, uri);
  }

  // ------------------------------------------------------------------ authentication

  private void authenticateThen(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder uri,
      HubEndpoint endpoint,
      boolean negotiate) {
    HttpRequest request = toRequest(ctx, req, uri, Map.of(), false);
    FullHttpRequest retained = req.retain();
    try {
      server
          .executor()
          .execute(
              () -> {
                HubUser user;
                try {
                  user = server.authenticator().authenticate(request);
                } catch (UnauthorizedException e) {
                  ctx.channel()
                      .eventLoop()
                      .execute(() -> unauthorized(ctx, retained, e.getMessage()));
                  return;
                } catch (RuntimeException e) {
                  log.warn("Authenticator failed", e);
                  ctx.channel()
                      .eventLoop()
                      .execute(
                          () -> {
                            try {
                              sendText(
                                  ctx,
                                  retained,
                                  HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                  "Authentication failed");
                            } finally {
                              retained.release();
                            }
                          });
                  return;
                }
                ctx.channel()
                    .eventLoop()
                    .execute(
                        () -> {
                          try {
                            if (user == null && endpoint.mapping().requireAuthenticatedUser()) {
                              unauthorizedNoRelease(ctx, retained, "Authentication required");
                            } else if (negotiate) {
                              negotiate(ctx, retained, uri, endpoint, user);
                            } else {
                              transport(ctx, retained, uri, endpoint, user);
                            }
                          } catch (RuntimeException e) {
                            log.warn("Hub request failed", e);
                            sendText(
                                ctx,
                                retained,
                                HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                "Internal error");
                          } finally {
                            retained.release();
                          }
                        });
              });
    } catch (RejectedExecutionException e) {
      retained.release();
      sendText(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "The server is too busy");
    }
  }

  private void unauthorized(ChannelHandlerContext ctx, FullHttpRequest req, String reason) {
    try {
      unauthorizedNoRelease(ctx, req, reason);
    } finally {
      req.release();
    }
  }

  private void unauthorizedNoRelease(
      ChannelHandlerContext ctx, FullHttpRequest req, String reason) {
    FullHttpResponse response = textResponse(HttpResponseStatus.UNAUTHORIZED, "Unauthorized");
    response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    send(ctx, req, response);
    log.debug("401 for {}: {}", req.uri(), reason);
  }

  // ------------------------------------------------------------------ negotiate

  private void negotiate(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder uri,
      HubEndpoint endpoint,
      HubUser user) {
    if (req.method() != HttpMethod.POST) {
      sendText(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed");
      return;
    }
    String requested = query(uri, "negotiateVersion");
    int version = 0;
    if (requested != null) {
      try {
        version = Integer.parseInt(requested);
      } catch (NumberFormatException e) {
        sendJson(
            ctx,
            req,
            NegotiateResponse.error("The client requested a non-integer protocol version.")
                .toJson());
        return;
      }
      if (version < 0) {
        sendJson(
            ctx,
            req,
            NegotiateResponse.error(
                    "The client requested version '"
                        + version
                        + "', but the server does not support this version.")
                .toJson());
        return;
      }
      version = Math.min(version, 1);
    }
    boolean stateful =
        "true".equalsIgnoreCase(query(uri, "useStatefulReconnect"))
            && endpoint.options().allowStatefulReconnects();
    String id = Ids.newId();
    String token = version >= 1 ? endpoint.newToken(id, user, stateful) : id;
    endpoint.newConnection(id, token, user, stateful);
    List<AvailableTransport> transports = new ArrayList<>();
    Set<HttpTransportType> enabled = endpoint.options().transports();
    if (enabled.contains(HttpTransportType.WebSockets)) {
      transports.add(
          new AvailableTransport(
              HttpTransportType.WebSockets, List.of(TransferFormat.Text, TransferFormat.Binary)));
    }
    if (enabled.contains(HttpTransportType.ServerSentEvents)) {
      transports.add(
          new AvailableTransport(HttpTransportType.ServerSentEvents, List.of(TransferFormat.Text)));
    }
    if (enabled.contains(HttpTransportType.LongPolling)) {
      transports.add(
          new AvailableTransport(
              HttpTransportType.LongPolling, List.of(TransferFormat.Text, TransferFormat.Binary)));
    }
    sendJson(
        ctx, req, NegotiateResponse.connection(version, id, token, transports, stateful).toJson());
  }

  // ------------------------------------------------------------------ transports

  private void transport(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder uri,
      HubEndpoint endpoint,
      HubUser user) {
    String token = query(uri, "id");
    HttpMethod method = req.method();
    if (method == HttpMethod.GET) {
      boolean upgrade = "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
      if (upgrade) {
        webSocket(ctx, req, endpoint, token, user);
        return;
      }
      if (elsewhere(ctx, req, endpoint, token, user)) {
        return;
      }
      String accept = req.headers().get(HttpHeaderNames.ACCEPT, "");
      if (accept.contains("text/event-stream")) {
        serverSentEvents(ctx, req, endpoint, token, user);
      } else {
        longPoll(ctx, req, endpoint, token, user);
      }
      return;
    }
    if ((method == HttpMethod.POST || method == HttpMethod.DELETE)
        && elsewhere(ctx, req, endpoint, token, user)) {
      return;
    }
    if (method == HttpMethod.POST) {
      HubConnection c = lookup(ctx, req, endpoint, token, user);
      if (c == null) {
        return;
      }
      if (c.transportType() == HttpTransportType.WebSockets) {
        sendText(
            ctx,
            req,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "POST requests are not allowed for WebSocket connections.");
        return;
      }
      if (c.transportType() == null) {
        sendText(
            ctx,
            req,
            HttpResponseStatus.BAD_REQUEST,
            "The connection has no transport yet: start one before sending.");
        return;
      }
      ByteBuffer body = ByteBuffer.wrap(ByteBufUtil.getBytes(req.content()));
      if (!c.receive(body)) {
        sendText(ctx, req, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
        return;
      }
      sendText(ctx, req, HttpResponseStatus.OK, "");
      return;
    }
    if (method == HttpMethod.DELETE) {
      HubConnection c = lookup(ctx, req, endpoint, token, user);
      if (c == null) {
        return;
      }
      if (c.transportType() != HttpTransportType.LongPolling) {
        sendText(
            ctx,
            req,
            HttpResponseStatus.BAD_REQUEST,
            "Cannot terminate this connection using the DELETE endpoint.");
        return;
      }
      sendText(ctx, req, HttpResponseStatus.ACCEPTED, "");
      c.deleteLongPolling();
      return;
    }
    sendText(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed");
  }

  /**
   * Handles a request for a connection this instance does not hold but another one does (a signed
   * token of another instance): forwards it to the owner when the token names its URL, else answers
   * 404 saying that affinity is needed. Returns false when the request is for this instance (the
   * usual lookup then answers).
   */
  private boolean elsewhere(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HubEndpoint endpoint,
      String token,
      HubUser user) {
    if (token == null || token.isEmpty() || endpoint.find(token) != null) {
      return false;
    }
    ConnectionTokens.Claims claims = endpoint.verify(token);
    if (claims == null || claims.issuedHere()) {
      return false;
    }
    if (!sameUser(claims, user)) {
      sendText(ctx, req, HttpResponseStatus.FORBIDDEN, "Forbidden");
      return true;
    }
    ConnectionForwarder forwarder = server.forwarder();
    boolean forwarded = req.headers().contains(ConnectionForwarder.FORWARDED_BY);
    if (claims.ownerUrl() != null && forwarder != null && !forwarded) {
      boolean sse = req.headers().get(HttpHeaderNames.ACCEPT, "").contains("text/event-stream");
      if (sse) {
        // The stream is the owner's from now on: nothing else is read on this HTTP connection.
        ctx.pipeline().remove(this);
      }
      forwarder.forward(
          ctx.channel(), req, claims.ownerUrl(), sse, endpoint.options().longPollTimeout());
      return true;
    }
    sendText(
        ctx,
        req,
        HttpResponseStatus.NOT_FOUND,
        forwarded
            ? "Connection not found on this instance (a forwarded request: the instance URL in the"
                + " connection token does not reach the instance that issued it)"
            : "Connection not found on this instance (SSE and long polling need session affinity)");
    return true;
  }

  private static boolean sameUser(ConnectionTokens.Claims claims, HubUser user) {
    return claims.userId() == null || (user != null && claims.userId().equals(user.id()));
  }

  /**
   * A WebSocket for a connection another instance negotiated (its signed token, within the adoption
   * window): the connection is created here with the same id; null after answering.
   */
  private HubConnection adopt(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HubEndpoint endpoint,
      String token,
      HubUser user) {
    ConnectionTokens.Claims claims = endpoint.verify(token);
    if (claims == null || claims.issuedHere()) {
      sendText(ctx, req, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
      return null;
    }
    if (!sameUser(claims, user)) {
      sendText(ctx, req, HttpResponseStatus.FORBIDDEN, "Forbidden");
      return null;
    }
    HubConnection c = endpoint.adopt(token, claims, claims.userId() == null ? null : user);
    if (c == null) {
      sendText(ctx, req, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
      return null;
    }
    log.debug("Connection {} negotiated on another instance is served here", c.connectionId());
    return c;
  }

  private HubConnection lookup(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HubEndpoint endpoint,
      String token,
      HubUser user) {
    if (token == null || token.isEmpty()) {
      sendText(ctx, req, HttpResponseStatus.BAD_REQUEST, "Connection ID required");
      return null;
    }
    HubConnection c = endpoint.find(token);
    if (c == null || c.state() == HubConnection.State.CLOSED) {
      sendText(ctx, req, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
      return null;
    }
    if (c.user() != null && (user == null || !c.user().id().equals(user.id()))) {
      sendText(ctx, req, HttpResponseStatus.FORBIDDEN, "Forbidden");
      return null;
    }
    return c;
  }

  private void webSocket(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HubEndpoint endpoint,
      String token,
      HubUser user) {
    if (!endpoint.options().transports().contains(HttpTransportType.WebSockets)) {
      sendText(
          ctx,
          req,
          HttpResponseStatus.NOT_FOUND,
          "WebSockets transport not supported by this end point type");
      return;
    }
    HubConnection c;
    boolean reconnect = false;
    if (token == null || token.isEmpty()) {
      String id = Ids.newId();
      c = endpoint.newConnection(id, id, user, false); // skipNegotiation: version 0 semantics
    } else {
      c =
          endpoint.find(token) == null
              ? adopt(ctx, req, endpoint, token, user)
              : lookup(ctx, req, endpoint, token, user);
      if (c == null) {
        return;
      }
      if (c.transportType() != null && c.transportType() != HttpTransportType.WebSockets) {
        sendText(
            ctx, req, HttpResponseStatus.BAD_REQUEST, "Cannot change transports mid-connection");
        return;
      }
      if (c.state() != HubConnection.State.NEW) {
        if (c.isStateful() && !c.isClosing()) {
          reconnect = true;
        } else if (c.isStatefulNegotiated() && c.state() == HubConnection.State.INACTIVE) {
          sendText(ctx, req, HttpResponseStatus.NO_CONTENT, "");
          return;
        } else {
          sendText(ctx, req, HttpResponseStatus.CONFLICT, "Connection already in use");
          return;
        }
      }
    }
    String location = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
    WebSocketServerHandshakerFactory factory =
        new WebSocketServerHandshakerFactory(location, null, true, server.maxWebSocketFrameSize());
    WebSocketServerHandshaker handshaker = factory.newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    HttpHeaders extra = io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE;
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if ((origin != null && server.originAllowed(origin)) || server.instanceId() != null) {
      extra = new io.netty.handler.codec.http.DefaultHttpHeaders();
      if (origin != null && server.originAllowed(origin)) {
        corsHeaders(extra, origin);
      }
      instanceHeader(extra);
    }
    WebSocketTransport transport = new WebSocketTransport(ctx.channel(), c);
    boolean isReconnect = reconnect;
    HubConnection connection = c;
    handshaker
        .handshake(ctx.channel(), req, extra, ctx.channel().newPromise())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ctx.close();
                return;
              }
              ctx.pipeline().replace(this, "ws-transport", transport);
              if (isReconnect) {
                connection.reattach(transport);
              } else {
                connection.attach(transport);
              }
            });
  }

  private void serverSentEvents(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HubEndpoint endpoint,
      String token,
      HubUser user) {
    if (!endpoint.options().transports().contains(HttpTransportType.ServerSentEvents)) {
      sendText(
          ctx,
          req,
          HttpResponseStatus.NOT_FOUND,
          "ServerSentEvents transport not supported by this end point type");
      return;
    }
    HubConnection c = lookup(ctx, req, endpoint, token, user);
    if (c == null) {
      return;
    }
    if (c.transportType() != null && c.transportType() != HttpTransportType.ServerSentEvents) {
      sendText(ctx, req, HttpResponseStatus.BAD_REQUEST, "Cannot change transports mid-connection");
      return;
    }
    if (c.state() != HubConnection.State.NEW) {
      sendText(ctx, req, HttpResponseStatus.CONFLICT, "Connection already in use");
      return;
    }
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache,no-store");
    h.set(HttpHeaderNames.PRAGMA, "no-cache");
    h.set(HttpHeaderNames.CONTENT_ENCODING, "identity");
    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    h.set("Long-Running", "true");
    addCors(req, h);
    instanceHeader(h);
    ctx.pipeline().remove(this);
    // Attach before the client can see the stream open: its first POST follows at once.
    c.attach(new SseTransport(ctx.channel(), c));
    ctx.write(response);
    ctx.writeAndFlush(
        new DefaultHttpContent(Unpooled.copiedBuffer(":\r\n", StandardCharsets.US_ASCII)));
  }

  private void longPoll(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HubEndpoint endpoint,
      String token,
      HubUser user) {
    if (!endpoint.options().transports().contains(HttpTransportType.LongPolling)) {
      sendText(
          ctx,
          req,
          HttpResponseStatus.NOT_FOUND,
          "LongPolling transport not supported by this end point type");
      return;
    }
    HubConnection c = lookup(ctx, req, endpoint, token, user);
    if (c == null) {
      return;
    }
    if (c.transportType() != null && c.transportType() != HttpTransportType.LongPolling) {
      sendText(ctx, req, HttpResponseStatus.BAD_REQUEST, "Cannot change transports mid-connection");
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (c.state() == HubConnection.State.NEW) {
      LongPollingTransport lp =
          new LongPollingTransport(
              c,
              ctx.channel().eventLoop(),
              endpoint.options().longPollTimeout(),
              r -> {
                if (origin != null && server.originAllowed(origin)) {
                  corsHeaders(r.headers(), origin);
                }
                instanceHeader(r.headers());
              });
      c.attach(lp);
      c.setPollActive(false);
      FullHttpResponse first =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      first.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
      first.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      send(ctx, req, first);
      return;
    }
    ((LongPollingTransport) c.currentTransport()).poll(ctx.channel(), keepAlive);
  }

  // ------------------------------------------------------------------ routes

  private void route(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri) {
    boolean[] mismatch = new boolean[1];
    RouteTable.Match match = server.routes().find(req.method().name(), uri.path(), mismatch);
    if (match == null) {
      FullHttpResponse r =
          fromRoute(
              org.jvmchat.hub.http.HttpResponse.problem(
                  mismatch[0] ? 405 : 404,
                  mismatch[0] ? "Method Not Allowed" : "Not Found",
                  mismatch[0]
                      ? "This path does not accept " + req.method().name() + "."
                      : "No resource at " + uri.path() + "."));
      send(ctx, req, r);
      return;
    }
    HttpRequest request = toRequest(ctx, req, uri, match.parameters(), true);
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    boolean head = req.method() == HttpMethod.HEAD;
    try {
      server
          .executor()
          .execute(
              () -> {
                org.jvmchat.hub.http.HttpResponse response;
                try {
                  HubUser user;
                  try {
                    user = server.authenticator().authenticate(request);
                  } catch (UnauthorizedException e) {
                    user = null;
                  }
                  response = match.route().handler().handle(request.withUser(user));
                  if (response == null) {
                    response = org.jvmchat.hub.http.HttpResponse.noContent();
                  }
                } catch (Exception e) {
                  log.error("Route {} {} failed", request.method(), request.path(), e);
                  response =
                      org.jvmchat.hub.http.HttpResponse.problem(
                          500, "Internal Server Error", "The request could not be completed.");
                }
                FullHttpResponse r = fromRoute(response);
                if (head) {
                  r.content().clear();
                }
                ctx.channel().eventLoop().execute(() -> write(ctx, r, keepAlive, origin));
              });
    } catch (RejectedExecutionException e) {
      send(
          ctx,
          req,
          fromRoute(
              org.jvmchat.hub.http.HttpResponse.problem(
                  503, "Service Unavailable", "The server is too busy.")));
    }
  }

  private static FullHttpResponse fromRoute(org.jvmchat.hub.http.HttpResponse r) {
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

  private HttpRequest toRequest(
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

  // ------------------------------------------------------------------ CORS and responses

  private void preflight(ChannelHandlerContext ctx, FullHttpRequest req, String origin) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    if (server.originAllowed(origin)) {
      HttpHeaders h = response.headers();
      corsHeaders(h, origin);
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, DELETE, OPTIONS");
      String requested = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
      if (requested != null) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
      }
      h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    }
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    write(ctx, response, HttpUtil.isKeepAlive(req), null);
  }

  private void instanceHeader(HttpHeaders h) {
    String id = server.instanceId();
    if (id != null) {
      h.set(org.jvmchat.hub.HubServer.INSTANCE_HEADER, id);
    }
  }

  private static void corsHeaders(HttpHeaders h, String origin) {
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    h.add(HttpHeaderNames.VARY, "Origin");
  }

  private void addCors(FullHttpRequest req, HttpHeaders h) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && server.originAllowed(origin)) {
      corsHeaders(h, origin);
    }
  }

  private static FullHttpResponse textResponse(HttpResponseStatus status, String text) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }

  private void sendText(
      ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String text) {
    send(ctx, req, textResponse(status, text));
  }

  private void sendJson(ChannelHandlerContext ctx, FullHttpRequest req, byte[] json) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(json));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    HttpUtil.setContentLength(response, json.length);
    send(ctx, req, response);
  }

  private void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse response) {
    write(ctx, response, HttpUtil.isKeepAlive(req), req.headers().get(HttpHeaderNames.ORIGIN));
  }

  private void write(
      ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, String origin) {
    if (origin != null && server.originAllowed(origin)) {
      corsHeaders(response.headers(), origin);
    }
    instanceHeader(response.headers());
    if (keepAlive) {
      HttpUtil.setKeepAlive(response, true);
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static String query(QueryStringDecoder uri, String name) {
    for (Map.Entry<String, List<String>> e : uri.parameters().entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP channel error", cause);
    ctx.close();
  }
}
