package org.jvmchat.hub.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.internal.hub.SameThreadExecutor;

/**
 * A hub server that is built but never bound: each request goes through the server's real channel
 * pipeline ({@link NettyHubServer#channelInitializer()}) on an {@link EmbeddedChannel}, with a
 * same-thread executor, so an exchange is over when {@link #exchange} returns. Close it to release
 * what the requests left behind (a leaked buffer fails {@code finishAndReleaseAll}).
 */
final class EmbeddedHttp implements AutoCloseable {
  final NettyHubServer server;
  final EmbeddedChannel channel;
  private final EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), aggregator());

  /** {@code builder} gets a same-thread executor. */
  EmbeddedHttp(HubServer.Builder builder) {
    this(builder, new SameThreadExecutor());
  }

  EmbeddedHttp(HubServer.Builder builder, ExecutorService executor) {
    this.server = (NettyHubServer) builder.executor(executor).build();
    this.channel = new EmbeddedChannel(server.channelInitializer());
  }

  static HttpObjectAggregator aggregator() {
    return new HttpObjectAggregator(1024 * 1024);
  }

  /** {@code headers} are name, value pairs. */
  static FullHttpRequest request(HttpMethod method, String uri, String... headers) {
    return requestWithBody(method, uri, "", headers);
  }

  /** {@code headers} are name, value pairs. */
  static FullHttpRequest requestWithBody(
      HttpMethod method, String uri, String body, String... headers) {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, method, uri, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    req.headers().set(HttpHeaderNames.HOST, "localhost");
    HttpUtil.setContentLength(req, req.content().readableBytes());
    for (int i = 0; i < headers.length; i += 2) {
      req.headers().add(headers[i], headers[i + 1]);
    }
    return req;
  }

  /**
   * Sends {@code req} encoded by a real client codec and answers the decoded response; fails when
   * the server did not answer.
   */
  FullHttpResponse exchange(FullHttpRequest req) {
    assertThat(client.writeOutbound(req)).isTrue();
    ByteBuf bytes;
    while ((bytes = client.readOutbound()) != null) {
      channel.writeInbound(bytes);
    }
    channel.runPendingTasks();
    return answer(client);
  }

  /** Sends raw bytes (for requests a client codec would not write) and decodes the answer. */
  FullHttpResponse exchangeRaw(String raw) {
    channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII));
    channel.runPendingTasks();
    EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder(), aggregator());
    try {
      return answer(decoder);
    } finally {
      decoder.finishAndReleaseAll();
    }
  }

  private FullHttpResponse answer(EmbeddedChannel decoder) {
    ByteBuf bytes;
    while ((bytes = channel.readOutbound()) != null) {
      decoder.writeInbound(bytes);
    }
    FullHttpResponse response = decoder.readInbound();
    assertThat(response).as("the server's answer").isNotNull();
    return response;
  }

  static String body(FullHttpResponse r) {
    try {
      return r.content().toString(StandardCharsets.UTF_8);
    } finally {
      r.release();
    }
  }

  @Override
  public void close() {
    server.stop(Duration.ZERO);
    channel.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }
}
