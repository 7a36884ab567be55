package org.jvmchat.hub.internal.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards an SSE stream, a long poll, a send (POST) or a DELETE that reached an instance which
 * does not hold the connection to the instance that does (its base URL is in the signed connection
 * token). Runs off the event loop on {@link HttpClient}; the answer is streamed back chunk by chunk
 * with back-pressure (one chunk in flight), so an SSE stream flows as it is written. A client that
 * goes away cancels the forwarded request, which the owner sees as its client going away.
 */
public final class ConnectionForwarder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionForwarder.class);

  /** Marks a forwarded request (never forwarded again) and a forwarded answer (the forwarder). */
  static final String FORWARDED_BY = "X-Chat-Forwarded-By";

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Added to the long-poll timeout for a forwarded poll; sends and deletes get it alone. */
  private static final Duration REQUEST_MARGIN = Duration.ofSeconds(30);

  /** Hop-by-hop headers and those the client computes itself: never copied either way. */
  private static final Set<String> NOT_COPIED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "te",
          "trailer",
          "upgrade",
          "host",
          "content-length",
          "expect",
          "http2-settings");

  private final String forwarderName;
  private final ExecutorService executor;
  private final HttpClient client;
  private final AtomicBoolean closed = new AtomicBoolean();

  public ConnectionForwarder(String forwarderName) {
    this.forwarderName = forwarderName;
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            32,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new DefaultThreadFactory("jvmchat-forward", true));
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
  }

  /**
   * Sends {@code req} to {@code ownerBaseUrl} and streams the answer back on {@code channel}. Reads
   * everything it needs from {@code req} before returning (the caller releases it).
   *
   * @param longRunning an SSE stream: no request timeout
   */
  void forward(
      Channel channel,
      FullHttpRequest req,
      String ownerBaseUrl,
      boolean longRunning,
      Duration pollTimeout) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String method = req.method().name();
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(URI.create(stripSlash(ownerBaseUrl) + req.uri()));
    } catch (IllegalArgumentException e) {
      fail(channel, keepAlive, "The instance URL in the connection token is not valid");
      return;
    }
    for (Map.Entry<String, String> h : req.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_COPIED.contains(name) && !name.equalsIgnoreCase(FORWARDED_BY)) {
        try {
          b.header(h.getKey(), h.getValue());
        } catch (IllegalArgumentException e) {
          // A header HttpClient sets itself (restricted): the owner does not need it.
        }
      }
    }
    b.header(FORWARDED_BY, forwarderName);
    if (!longRunning) {
      b.timeout(pollTimeout.plus(REQUEST_MARGIN));
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    b.method(
        method,
        body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpRequest request = b.build();
    CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> answer;
    try {
      answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher());
    } catch (RuntimeException e) {
      fail(channel, keepAlive, "The instance that holds this connection could not be reached");
      return;
    }
    channel.closeFuture().addListener(f -> answer.cancel(true));
    answer.whenComplete(
        (response, error) -> {
          if (error != null) {
            if (channel.isActive()) {
              log.debug("Forwarding {} to {} failed", method, ownerBaseUrl, error);
              fail(
                  channel,
                  keepAlive,
                  "The instance that holds this connection could not be reached");
            }
            return;
          }
          relay(channel, response, keepAlive);
        });
  }

  private void relay(
      Channel channel,
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response,
      boolean clientKeepAlive) {
    DefaultHttpResponse head =
        new DefaultHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.statusCode()));
    HttpHeaders h = head.headers();
    for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (NOT_COPIED.contains(name) || name.startsWith(":")) {
        continue;
      }
      h.add(e.getKey(), e.getValue());
    }
    h.set(FORWARDED_BY, forwarderName);
    String length = response.headers().firstValue("content-length").orElse(null);
    int status = response.statusCode();
    if (length != null) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, length);
    } else if (status == 204 || status == 304 || status < 200) {
      // No body and no framing.
    } else {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    boolean keepAlive =
        clientKeepAlive
            && !response
                .headers()
                .firstValue("connection")
                .orElse("")
                .toLowerCase(Locale.ROOT)
                .contains("close");
    HttpUtil.setKeepAlive(head, keepAlive);
    channel.eventLoop().execute(() -> channel.writeAndFlush(head));
    response.body().subscribe(new Relay(channel, keepAlive));
  }

  /** Writes each chunk of the owner's answer; asks for the next once the previous was written. */
  private static final class Relay implements Flow.Subscriber<List<ByteBuffer>> {
    private final Channel channel;
    private final boolean keepAlive;
    private Flow.Subscription subscription;

    Relay(Channel channel, boolean keepAlive) {
      this.channel = channel;
      this.keepAlive = keepAlive;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      channel.closeFuture().addListener(f -> s.cancel());
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      ByteBuffer[] array = buffers.toArray(new ByteBuffer[0]);
      channel
          .eventLoop()
          .execute(
              () ->
                  channel
                      .writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(array)))
                      .addListener(
                          f -> {
                            if (f.isSuccess()) {
                              subscription.request(1);
                            } else {
                              subscription.cancel();
                            }
                          }));
    }

    @Override
    public void onError(Throwable error) {
      log.debug("Forwarded answer broke off", error);
      channel.eventLoop().execute(channel::close);
    }

    @Override
    public void onComplete() {
      channel
          .eventLoop()
          .execute(
              () -> {
                if (keepAlive) {
                  channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                } else {
                  channel
                      .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                      .addListener(ChannelFutureListener.CLOSE);
                }
              });
    }
  }

  private void fail(Channel channel, boolean keepAlive, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    io.netty.handler.codec.http.DefaultFullHttpResponse r =
        new io.netty.handler.codec.http.DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY, Unpooled.wrappedBuffer(bytes));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().set(FORWARDED_BY, forwarderName);
    HttpUtil.setContentLength(r, bytes.length);
    HttpUtil.setKeepAlive(r, keepAlive);
    channel
        .eventLoop()
        .execute(
            () -> {
              if (keepAlive) {
                channel.writeAndFlush(r);
              } else {
                channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
              }
            });
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
    }
  }
}
