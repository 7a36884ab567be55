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
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Long polling on the Netty host ({@link PollingTransport}): a held poll is the HTTP connection
 * that carries it, answered with a {@link FullHttpResponse}; a poll whose connection closes before
 * its answer is forgotten.
 */
public final class LongPollingTransport extends PollingTransport<LongPollingTransport.NettyPoll> {
  private final Consumer<FullHttpResponse> headers;

  /** HTTP connections already watched for close (touched on the event loop only). */
  private final java.util.Set<Channel> watched =
      java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

  /** A held poll: the HTTP connection it came on, and whether that connection is kept alive. */
  record NettyPoll(Channel channel, boolean keepAlive) {}

  public LongPollingTransport(
      TransportConnection connection,
      Outbound outbound,
      EventExecutor eventLoop,
      Duration pollTimeout,
      Consumer<FullHttpResponse> headers) {
    super(connection, outbound, eventLoop, pollTimeout);
    this.headers = headers;
  }

  /** A poll arrived. */
  public void poll(Channel channel, boolean keepAlive) {
    arrived(new NettyPoll(channel, keepAlive));
  }

  /** One close listener per HTTP connection, however many polls it carries. */
  @Override
  protected void held(NettyPoll poll) {
    Channel channel = poll.channel();
    if (watched.add(channel)) {
      channel
          .closeFuture()
          .addListener(
              f -> {
                try {
                  eventLoop().execute(() -> clientGone(channel));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                  // The server is stopping: nothing left to clean up.
                }
              });
    }
  }

  private void clientGone(Channel channel) {
    NettyPoll p = pending();
    if (p != null && p.channel() == channel) {
      pendingGone();
    }
  }

  @Override
  protected void respond(NettyPoll p, int status, List<byte[]> body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            body == null || body.isEmpty()
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(body.toArray(new byte[0][])));
    if (status == 200) {
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
}
