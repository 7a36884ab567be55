package org.jvmchat.hub.internal.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
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
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.connection.ConnectionTokens;
import org.jvmchat.hub.internal.connection.Ids;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.jvmchat.hub.internal.hub.ServerConnection;
import org.jvmchat.hub.internal.transport.LongPollingTransport;
import org.jvmchat.hub.internal.transport.ServerSentEventsTransport;
import org.jvmchat.hub.internal.transport.WebSocketTransport;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests on a connection ({@code <hub>?id=<token>}, SIGNALR.md §1.3), as ASP.NET Core's {@code
 * HttpConnectionDispatcher}: GET is a WebSocket upgrade, an SSE stream or a long poll; POST sends
 * to a connection without a WebSocket; DELETE ends a long-polling connection. A request for a
 * connection another instance holds (a signed token) is forwarded to it or answered 404; a
 * WebSocket with such a token adopts the connection here.
 */
final class NettyConnectionLayer {
  private static final Logger log = LoggerFactory.getLogger(NettyConnectionLayer.class);

  private final HttpServerContext context;
  private final HttpResponses responses;
  // One for every socket (the frame decoder of each keeps a reference), not one per upgrade.
  private final WebSocketDecoderConfig decoderConfig;

  NettyConnectionLayer(HttpServerContext context) {
    this.context = context;
    this.responses = context.responses();
    this.decoderConfig =
        WebSocketDecoderConfig.newBuilder()
            .allowExtensions(true)
            .maxFramePayloadLength(context.maxRequestBodySize())
            .build();
  }

  void dispatch(HubRequest r) {
    HttpMethod method = r.req().method();
    if (method == HttpMethod.GET) {
      boolean upgrade =
          "websocket".equalsIgnoreCase(r.req().headers().get(HttpHeaderNames.UPGRADE));
      if (upgrade) {
        webSocket(r);
        return;
      }
      if (elsewhere(r)) {
        return;
      }
      if (wantsEventStream(r.req())) {
        serverSentEvents(r);
      } else {
        longPoll(r);
      }
      return;
    }
    if ((method == HttpMethod.POST || method == HttpMethod.DELETE) && elsewhere(r)) {
      return;
    }
    if (method == HttpMethod.POST) {
      send(r);
      return;
    }
    if (method == HttpMethod.DELETE) {
      delete(r);
      return;
    }
    text(r, HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed");
  }

  private static boolean wantsEventStream(FullHttpRequest req) {
    return req.headers().get(HttpHeaderNames.ACCEPT, "").contains("text/event-stream");
  }

  private void text(HubRequest r, HttpResponseStatus status, String text) {
    responses.sendText(r.ctx(), r.req(), status, text);
  }

  // ------------------------------------------------------------------ POST and DELETE

  private void send(HubRequest r) {
    ServerConnection c = lookup(r);
    if (c == null) {
      return;
    }
    if (c.transportType() == HttpTransportType.WebSockets) {
      text(
          r,
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          "POST requests are not allowed for WebSocket connections.");
      return;
    }
    if (c.transportType() == null) {
      text(
          r,
          HttpResponseStatus.BAD_REQUEST,
          "The connection has no transport yet: start one before sending.");
      return;
    }
    ByteBuffer body = ByteBuffer.wrap(ByteBufUtil.getBytes(r.req().content()));
    // Answered once the bytes were taken in: while the connection's invocation queue is at its
    // bound, the POST waits, and the client (which sends one POST at a time) with it.
    FullHttpRequest req = r.req().retain();
    if (!c.receive(
        body,
        () -> {
          try {
            text(r, HttpResponseStatus.OK, "");
          } finally {
            req.release();
          }
        })) {
      req.release();
      text(r, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
    }
  }

  private void delete(HubRequest r) {
    ServerConnection c = lookup(r);
    if (c == null) {
      return;
    }
    if (c.transportType() != HttpTransportType.LongPolling) {
      text(
          r,
          HttpResponseStatus.BAD_REQUEST,
          "Cannot terminate this connection using the DELETE endpoint.");
      return;
    }
    text(r, HttpResponseStatus.ACCEPTED, "");
    c.deleteLongPolling();
  }

  // ------------------------------------------------------------------ finding the connection

  /**
   * Handles a request for a connection this instance does not hold but another one does (a signed
   * token of another instance): forwards it to the owner when the token names its URL, else answers
   * 404 saying that affinity is needed. Returns false when the request is for this instance (the
   * usual lookup then answers).
   */
  private boolean elsewhere(HubRequest r) {
    String token = r.token();
    HubEndpoint endpoint = r.endpoint();
    if (token == null || token.isEmpty() || endpoint.find(token) != null) {
      return false;
    }
    ConnectionTokens.Claims claims = endpoint.verify(token);
    if (claims == null || claims.issuedHere()) {
      return false;
    }
    if (!sameUser(claims, r.user())) {
      text(r, HttpResponseStatus.FORBIDDEN, "Forbidden");
      return true;
    }
    ConnectionForwarder forwarder = context.forwarder();
    boolean forwarded = r.req().headers().contains(ConnectionForwarder.FORWARDED_BY);
    if (claims.ownerUrl() != null && forwarder != null && !forwarded) {
      boolean sse = wantsEventStream(r.req());
      ChannelHandlerContext ctx = r.ctx();
      if (sse) {
        // The stream is the owner's from now on: nothing else is read on this HTTP connection.
        ctx.pipeline().remove(ctx.handler());
      }
      forwarder.forward(
          ctx.channel(), r.req(), claims.ownerUrl(), sse, endpoint.options().longPollTimeout());
      return true;
    }
    text(
        r,
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
  private ServerConnection adopt(HubRequest r) {
    ConnectionTokens.Claims claims = r.endpoint().verify(r.token());
    if (claims == null || claims.issuedHere()) {
      text(r, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
      return null;
    }
    if (!sameUser(claims, r.user())) {
      text(r, HttpResponseStatus.FORBIDDEN, "Forbidden");
      return null;
    }
    ServerConnection c =
        r.endpoint().adopt(r.token(), claims, claims.userId() == null ? null : r.user());
    if (c == null) {
      text(r, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
      return null;
    }
    log.debug("Connection {} negotiated on another instance is served here", c.connectionId());
    return c;
  }

  /** The connection of the request's token, if it is open and the request's user may use it. */
  private ServerConnection lookup(HubRequest r) {
    String token = r.token();
    if (token == null || token.isEmpty()) {
      text(r, HttpResponseStatus.BAD_REQUEST, "Connection ID required");
      return null;
    }
    ServerConnection c = r.endpoint().find(token);
    if (c == null || c.state() == ServerConnection.State.CLOSED) {
      text(r, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
      return null;
    }
    HubUser user = r.user();
    if (c.user() != null && (user == null || !c.user().id().equals(user.id()))) {
      text(r, HttpResponseStatus.FORBIDDEN, "Forbidden");
      return null;
    }
    return c;
  }

  private boolean transportEnabled(HubRequest r, HttpTransportType type) {
    if (r.endpoint().options().transports().contains(type)) {
      return true;
    }
    text(
        r,
        HttpResponseStatus.NOT_FOUND,
        type.name() + " transport not supported by this end point type");
    return false;
  }

  /** 400 when the connection already runs another transport. */
  private boolean sameTransport(HubRequest r, ServerConnection c, HttpTransportType type) {
    if (c.transportType() != null && c.transportType() != type) {
      text(r, HttpResponseStatus.BAD_REQUEST, "Cannot change transports mid-connection");
      return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ GET: the three transports

  private void webSocket(HubRequest r) {
    if (!transportEnabled(r, HttpTransportType.WebSockets)) {
      return;
    }
    FullHttpRequest req = r.req();
    ChannelHandlerContext ctx = r.ctx();
    String token = r.token();
    ServerConnection c;
    boolean reconnect = false;
    if (token == null || token.isEmpty()) {
      String id = Ids.newId();
      c = r.endpoint().newConnection(id, id, r.user(), false); // skipNegotiation: version 0
    } else {
      c = r.endpoint().find(token) == null ? adopt(r) : lookup(r);
      if (c == null || !sameTransport(r, c, HttpTransportType.WebSockets)) {
        return;
      }
      if (c.state() != ServerConnection.State.NEW) {
        if (c.isStateful() && !c.isClosing()) {
          reconnect = true;
        } else if (c.isStatefulNegotiated() && c.state() == ServerConnection.State.INACTIVE) {
          text(r, HttpResponseStatus.NO_CONTENT, "");
          return;
        } else {
          text(r, HttpResponseStatus.CONFLICT, "Connection already in use");
          return;
        }
      }
    }
    String location = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
    WebSocketServerHandshakerFactory factory =
        new WebSocketServerHandshakerFactory(location, null, decoderConfig);
    WebSocketServerHandshaker handshaker = factory.newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    HttpHeaders extra = EmptyHttpHeaders.INSTANCE;
    if (responses.decorates(origin)) {
      extra = new DefaultHttpHeaders();
      responses.decorate(extra, origin);
    }
    WebSocketTransport transport = new WebSocketTransport(ctx.channel(), c, c.outbound());
    boolean isReconnect = reconnect;
    ServerConnection connection = c;
    handshaker
        .handshake(ctx.channel(), req, extra, ctx.channel().newPromise())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ctx.close();
                return;
              }
              ctx.pipeline().replace(ctx.handler(), "ws-transport", transport);
              // The handshake removed the HTTP codec and the aggregator, the 101 the timeouts;
              // the body limit has nothing to do on a socket either (HubChannelInitializer).
              if (ctx.pipeline().get(HubChannelInitializer.BODY_LIMIT) != null) {
                ctx.pipeline().remove(HubChannelInitializer.BODY_LIMIT);
              }
              if (isReconnect) {
                connection.reattach(transport);
              } else {
                connection.attach(transport);
              }
            });
  }

  private void serverSentEvents(HubRequest r) {
    if (!transportEnabled(r, HttpTransportType.ServerSentEvents)) {
      return;
    }
    ServerConnection c = lookup(r);
    if (c == null || !sameTransport(r, c, HttpTransportType.ServerSentEvents)) {
      return;
    }
    if (c.state() != ServerConnection.State.NEW) {
      text(r, HttpResponseStatus.CONFLICT, "Connection already in use");
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
    responses.decorate(h, r.req().headers().get(HttpHeaderNames.ORIGIN));
    ChannelHandlerContext ctx = r.ctx();
    ctx.pipeline().remove(ctx.handler());
    // Attach before the client can see the stream open: its first POST follows at once.
    c.attach(new ServerSentEventsTransport(ctx.channel(), c, c.outbound()));
    ctx.write(response);
    ctx.writeAndFlush(
        new DefaultHttpContent(Unpooled.copiedBuffer(":\r\n", StandardCharsets.US_ASCII)));
  }

  private void longPoll(HubRequest r) {
    if (!transportEnabled(r, HttpTransportType.LongPolling)) {
      return;
    }
    ServerConnection c = lookup(r);
    if (c == null || !sameTransport(r, c, HttpTransportType.LongPolling)) {
      return;
    }
    ChannelHandlerContext ctx = r.ctx();
    boolean keepAlive = HttpUtil.isKeepAlive(r.req());
    String origin = r.req().headers().get(HttpHeaderNames.ORIGIN);
    if (c.state() == ServerConnection.State.NEW) {
      LongPollingTransport lp =
          new LongPollingTransport(
              c,
              c.outbound(),
              ctx.channel().eventLoop(),
              r.endpoint().options().longPollTimeout(),
              response -> responses.decorate(response.headers(), origin));
      c.attach(lp);
      c.setPollActive(false);
      FullHttpResponse first =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      first.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
      first.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      responses.send(ctx, r.req(), first);
      return;
    }
    ((LongPollingTransport) c.transport()).poll(ctx.channel(), keepAlive);
  }
}
