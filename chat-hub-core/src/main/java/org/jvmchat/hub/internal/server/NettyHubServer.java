package org.jvmchat.hub.internal.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpRoute;
import org.jvmchat.hub.internal.hub.HubRuntime;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Netty implementation of {@link HubServer}. */
public final class NettyHubServer implements HubServer {
  private static final Logger log = LoggerFactory.getLogger(NettyHubServer.class);

  /**
   * The receive buffer sizing of every accepted channel: Netty's default (adaptive, 16 reads per
   * event loop turn, as the stream channels' metadata sets on an allocator of their own), one
   * instance shared by every channel, each of which takes its own handle from it.
   */
  private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS =
      (AdaptiveRecvByteBufAllocator) new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(16);

  /** Everything the builder collected. */
  public record Config(
      String host,
      int port,
      List<HubMapping> hubs,
      List<HttpRoute> routes,
      List<HubFilter> filters,
      Authenticator authenticator,
      Set<String> corsOrigins,
      HubLifetimeManagerFactory lifetimeManagerFactory,
      ExecutorService executor,
      int executorThreads,
      int executorQueueCapacity,
      int maxRequestBodySize,
      List<ConnectionListener> listeners,
      byte[] connectionTokenKey,
      String instanceUrl,
      String instanceId,
      org.jvmchat.hub.http.HttpLimits httpLimits,
      org.jvmchat.hub.HubRequestObserver requestObserver) {}

  private final Config config;
  private final HubRuntime runtime;
  private final ConnectionForwarder forwarder;
  private final HubChannelInitializer channelInitializer;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();

  /**
   * Every accepted channel still open, hub connections or not (idle keep-alive HTTP connections
   * too): {@link #stop} closes them all before the event loops end, so that no client keeps a
   * pooled connection to a stopped server and waits on it for an answer that never comes.
   */
  private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();

  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;
  private int boundPort;

  public NettyHubServer(Config config) {
    this.config = config;
    this.runtime =
        new HubRuntime(
            new HubRuntime.Config(
                config.hubs(),
                config.filters(),
                config.lifetimeManagerFactory(),
                config.executor(),
                config.executorThreads(),
                config.executorQueueCapacity(),
                config.listeners(),
                config.connectionTokenKey(),
                config.instanceUrl(),
                config.requestObserver()));
    this.forwarder =
        runtime.tokens().isSigned()
            ? new ConnectionForwarder(
                config.instanceId() != null
                    ? config.instanceId()
                    : config.instanceUrl() != null ? config.instanceUrl() : "another-instance")
            : null;
    this.channelInitializer =
        new HubChannelInitializer(
            new HttpServerContext(
                runtime.endpoints(),
                config.routes(),
                runtime.executor(),
                config.authenticator(),
                config.corsOrigins(),
                config.instanceId(),
                config.maxRequestBodySize(),
                forwarder,
                stopped::get,
                config.httpLimits()));
  }

  @Override
  public HubServer start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("Already started");
    }
    SocketIo io = SocketIo.select();
    bossGroup =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("jvmchat-accept"), io.ioHandlerFactory());
    workerGroup =
        new MultiThreadIoEventLoopGroup(
            0, new DefaultThreadFactory("jvmchat-io"), io.ioHandlerFactory());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(io.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .handler(new TrackAccepted(accepted))
            .childOption(ChannelOption.TCP_NODELAY, true)
            // One allocator for every channel (each gets its own handle from it) rather than one
            // per channel, Netty's default.
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(32 * 1024, 64 * 1024))
            .childHandler(channelInitializer);
    try {
      serverChannel =
          bootstrap.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(Duration.ZERO);
      throw new IllegalStateException("Interrupted while binding", e);
    } catch (RuntimeException e) {
      stop(Duration.ZERO);
      throw new IllegalStateException(
          "Could not listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    runtime.tokens().bound(boundPort);
    runtime.start();
    log.debug("Hub server listening on {}:{} ({})", config.host(), boundPort, io.name());
    return this;
  }

  @Override
  public int port() {
    return boundPort;
  }

  @Override
  public HubContext hubContext(String path) {
    return runtime.hubContext(path);
  }

  @Override
  public int connectionCount() {
    return runtime.connectionCount();
  }

  @Override
  public void stop(Duration grace) {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + grace.toNanos();
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    runtime.stop(deadline);
    if (forwarder != null) {
      forwarder.close();
    }
    closeAccepted(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    if (workerGroup != null) {
      workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * The pipeline of every accepted channel (shared: one initializer per server); tests build an
   * {@code EmbeddedChannel} from it.
   */
  public HubChannelInitializer channelInitializer() {
    return channelInitializer;
  }

  /** Closes every accepted channel still open and waits for them until {@code deadline}. */
  private void closeAccepted(long deadline) {
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel ch : accepted) {
      if (ch.isRegistered()) {
        closing.add(ch.close());
      } else {
        ch.unsafe().closeForcibly(); // accepted, never registered: no event loop to close it on
      }
    }
    for (ChannelFuture f : closing) {
      if (!f.awaitUninterruptibly(
          Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        log.debug("A channel did not close within the grace period");
        return;
      }
    }
  }

  /** On the server channel: remembers each accepted channel until it closes. */
  @ChannelHandler.Sharable
  private static final class TrackAccepted extends ChannelInboundHandlerAdapter {
    private final Set<Channel> open;
    // One listener for every channel, not a lambda per channel.
    private final ChannelFutureListener closed;

    TrackAccepted(Set<Channel> open) {
      this.open = open;
      this.closed = f -> open.remove(f.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel child) {
        open.add(child);
        child.closeFuture().addListener(closed);
      }
      ctx.fireChannelRead(msg);
    }
  }
}
