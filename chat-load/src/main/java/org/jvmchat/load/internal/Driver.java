package org.jvmchat.load.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The driver's Netty side: {@code threads} event loops (epoll when available, else NIO) shared by
 * every WebSocket client connection.
 */
public final class Driver implements AutoCloseable {
  private static final int MAX_FRAME = 1 << 20;

  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelClass;

  public Driver(int threads) {
    boolean epoll = Epoll.isAvailable();
    group =
        new MultiThreadIoEventLoopGroup(
            threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public static String transport() {
    return Epoll.isAvailable() ? "epoll" : "nio";
  }

  /**
   * Opens one connection and completes when its protocol handshake is done ({@link Conn#ready()}).
   */
  public CompletableFuture<Conn> open(Target target, String token, Conn conn) {
    URI uri = target.webSocket(token);
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .version(WebSocketVersion.V13)
            .customHeaders(new DefaultHttpHeaders())
            .maxFramePayloadLength(MAX_FRAME)
            .handshakeTimeoutMillis(30_000)
            .absoluteUpgradeUrl(false)
            .dropPongFrames(true)
            .build();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(new WebSocketClientProtocolHandler(config))
                        .addLast(new WebSocketFrameAggregator(MAX_FRAME))
                        .addLast(conn);
                  }
                });
    ChannelFuture f = b.connect(target.host(), target.port());
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            conn.ready().completeExceptionally(done.cause());
            conn.joined().completeExceptionally(done.cause());
          }
        });
    return conn.ready();
  }

  /**
   * Waits until every event loop ran a no-op task: afterwards this thread sees everything the loops
   * wrote before (a happens-before edge for reading per-connection state after a run).
   */
  public void barrier() {
    List<Future<?>> fs = new ArrayList<>();
    for (EventExecutor e : group) {
      fs.add(e.submit(() -> {}));
    }
    for (Future<?> f : fs) {
      f.awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code task} on every event loop and waits. */
  public void onEveryLoop(Runnable task) {
    List<Future<?>> fs = new ArrayList<>();
    for (EventExecutor e : group) {
      fs.add(e.submit(task));
    }
    for (Future<?> f : fs) {
      f.awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
  }
}
