package org.jvmchat.hub.internal.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * The Long Polling transport (its event loop, that of the first poll, is the connection's executor;
 * later polls on other HTTP connections hop onto it): each poll is held until there is data (200
 * with all of it), the poll timeout passes (200, empty), a newer poll replaces it (204), or the
 * connection has ended and nothing is left (204, after which the connection is forgotten).
 */
public final class LongPollingTransport implements Transport {
  private final TransportConnection connection;
  private final Outbound outbound;
  private final EventExecutor eventLoop;
  private final Duration pollTimeout;
  private final Consumer<FullHttpResponse> headers;

  /** HTTP connections already watched for close (touched on the event loop only). */
  private final java.util.Set<Channel> watched =
      java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

  private Poll pending;

  private record Poll(Channel channel, boolean keepAlive, ScheduledFuture<?> timeout) {}

  public LongPollingTransport(
      TransportConnection connection,
      Outbound outbound,
      EventExecutor eventLoop,
      Duration pollTimeout,
      Consumer<FullHttpResponse> headers) {
    this.connection = connection;
    this.outbound = outbound;
    this.eventLoop = eventLoop;
    this.pollTimeout = pollTimeout;
    this.headers = headers;
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.LongPolling;
  }

  @Override
  public EventExecutor eventLoop() {
    return eventLoop;
  }

  /** A poll every few seconds is keep-alive enough: no Pings, no client timeout. */
  @Override
  public boolean needsKeepAlive() {
    return false;
  }

  /** The next poll collects what is left when the connection ends, then gets 204. */
  @Override
  public boolean holdsConnectionUntilCollected() {
    return true;
  }

  /** A poll arrived. */
  public void poll(Channel channel, boolean keepAlive) {
    eventLoop.execute(
        () -> {
          Poll previous = pending;
          if (previous != null) {
            previous.timeout().cancel(false);
            pending = null;
            respond(previous, HttpResponseStatus.NO_CONTENT, null);
          }
          ScheduledFuture<?> timeout =
              eventLoop.schedule(
                  () -> timedOut(channel), pollTimeout.toMillis(), TimeUnit.MILLISECONDS);
          pending = new Poll(channel, keepAlive, timeout);
          connection.setPollActive(true);
          // One close listener per HTTP connection, however many polls it carries.
          if (watched.add(channel)) {
            channel
                .closeFuture()
                .addListener(
                    f -> {
                      try {
                        eventLoop.execute(() -> clientGone(channel));
                      } catch (java.util.concurrent.RejectedExecutionException e) {
                        // The server is stopping: nothing left to clean up.
                      }
                    });
          }
          connection.drain();
        });
  }

  private void clientGone(Channel channel) {
    Poll p = pending;
    if (p != null && p.channel() == channel) {
      p.timeout().cancel(false);
      pending = null;
      connection.setPollActive(false);
    }
  }

  private void timedOut(Channel channel) {
    Poll p = pending;
    if (p != null && p.channel() == channel) {
      pending = null;
      respond(p, HttpResponseStatus.OK, new byte[0][]);
      connection.setPollActive(false);
    }
  }

  /** Executor, from the connection's drain: answers the pending poll with everything queued. */
  @Override
  public void drain() {
    Poll p = pending;
    if (p == null) {
      return;
    }
    List<byte[]> chunks = new ArrayList<>();
    byte[] b;
    while ((b = outbound.poll()) != null) {
      chunks.add(b);
    }
    if (!chunks.isEmpty()) {
      pending = null;
      p.timeout().cancel(false);
      respond(p, HttpResponseStatus.OK, chunks.toArray(new byte[0][]));
      connection.setPollActive(false);
    } else if (connection.endedAfterStart()) {
      pending = null;
      p.timeout().cancel(false);
      respond(p, HttpResponseStatus.NO_CONTENT, null);
      connection.dispose();
    }
  }

  private void respond(Poll p, HttpResponseStatus status, byte[][] body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            body == null || body.length == 0
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(body));
    if (status == HttpResponseStatus.OK) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
    }
    response.headers().set("Cache-Control", "no-cache, no-store");
    response.headers().set("Pragma", "no-cache");
    response.headers().set("Expires", "Thu, 01 Jan 1970 00:00:00 GMT");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    headers.accept(response);
    if (p.keepAlive()) {
      HttpUtil.setKeepAlive(response, true);
      p.channel().writeAndFlush(response);
    } else {
      p.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public long pendingWriteBytes() {
    return 0;
  }

  @Override
  public void end() {
    drain();
  }

  @Override
  public void abort() {
    eventLoop.execute(
        () -> {
          Poll p = pending;
          if (p != null) {
            pending = null;
            p.timeout().cancel(false);
            respond(p, HttpResponseStatus.NO_CONTENT, null);
          }
        });
  }
}
