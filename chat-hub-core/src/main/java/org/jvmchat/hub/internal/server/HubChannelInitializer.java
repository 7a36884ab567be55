package org.jvmchat.hub.internal.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds the pipeline of every accepted channel: a connection over the server's limits gets only
 * {@link ConnectionLimiter.Refuse} (one 503, then close); the others get the HTTP codec (8 KiB
 * request line, 16 KiB of headers, 16 KiB chunks), the {@link HttpTimeoutHandler} (idle, head and
 * body timeouts), the {@link UnauthenticatedBodyLimit} (a large body is read only for a user), an
 * aggregator limited to the largest request body (larger gets 413), and an {@link HttpRouter}. A
 * WebSocket upgrade later leaves only the frame decoder and encoder and the WebSocket transport
 * (Netty's handshake removes the codec and the aggregator, the {@code 101} the timeouts, the
 * connection layer the body limit and the router); an SSE stream removes the router.
 */
@ChannelHandler.Sharable
public final class HubChannelInitializer extends ChannelInitializer<Channel> {
  static final int MAX_INITIAL_LINE_LENGTH = 8192;
  static final int MAX_HEADER_SIZE = 16384;
  static final int MAX_CHUNK_SIZE = 16384;
  static final String BODY_LIMIT = "unauthenticatedBodyLimit";

  private final HttpServerContext context;
  private final HubAuthentication authentication;
  private final Negotiation negotiation;
  private final NettyConnectionLayer connections;
  private final PlainRoutes routes;

  public HubChannelInitializer(HttpServerContext context) {
    this.context = context;
    this.authentication = new HubAuthentication(context);
    this.negotiation = new Negotiation(context.responses());
    this.connections = new NettyConnectionLayer(context);
    this.routes = new PlainRoutes(context);
  }

  @Override
  protected void initChannel(Channel ch) {
    String refused = context.connectionLimiter().admit(ch);
    if (refused != null) {
      ch.pipeline().addLast("refuse", new ConnectionLimiter.Refuse(refused));
      return;
    }
    ch.pipeline()
        .addLast(
            "http", new HttpServerCodec(MAX_INITIAL_LINE_LENGTH, MAX_HEADER_SIZE, MAX_CHUNK_SIZE))
        .addLast("timeouts", new HttpTimeoutHandler(context.httpLimits()))
        .addLast(
            BODY_LIMIT,
            new UnauthenticatedBodyLimit(
                context, context.httpLimits().maxUnauthenticatedBodySize()))
        .addLast("aggregator", new HttpObjectAggregator(context.maxRequestBodySize()))
        .addLast(
            "handler", new HttpRouter(context, authentication, negotiation, connections, routes));
  }
}
