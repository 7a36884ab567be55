package org.jvmchat.load.ceiling;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling: a minimal raw Netty WebSocket server speaking the chat server's SignalR JSON wire
 * for {@code JoinRoom} / {@code UserJoined} / {@code SendMessage} / {@code ReceiveMessage} at
 * {@code /hubs/chat}, with nothing else (no auth, no persistence, no negotiate): how fast Netty
 * does this wire when a server does only what it must. Epoll when available, one worker event loop
 * per core; a room's members are kept per event loop ({@link Room}), a broadcast is serialized once
 * per protocol into one pre-framed WebSocket frame shared by every member, written without flush
 * and flushed once per connection per loop turn ({@link Loop}).
 *
 * <pre>java -cp chat-load.jar org.jvmchat.load.ceiling.CeilingServer --port 8080</pre>
 */
public final class CeilingServer implements AutoCloseable {
  static final int MAX_MESSAGE = 65536;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel server;
  private final Loops loops;
  private final Rooms rooms;

  /**
   * The first handler of every pipeline, doing nothing: writes from its context go straight to the
   * socket, past the WebSocket encoder the handshake adds after it, which is how the pre-framed
   * broadcast frames are written ({@link Loop#deliver}).
   */
  static final ChannelHandler WIRE = new Wire();

  @ChannelHandler.Sharable
  private static final class Wire extends ChannelHandlerAdapter {}

  private CeilingServer(int port, int threads, Timeouts timeouts) throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    boss = new MultiThreadIoEventLoopGroup(1, factory(epoll));
    workers = new MultiThreadIoEventLoopGroup(threads, factory(epoll));
    loops = new Loops(workers, timeouts);
    rooms = new Rooms(loops.size());
    Class<? extends ServerSocketChannel> cls =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    Upgrade upgrade =
        new Upgrade(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(MAX_MESSAGE).build());
    server =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(cls)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // One allocator for all (a handle per channel), not one allocator per channel.
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator())
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast("wire", WIRE)
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(MAX_MESSAGE))
                        .addLast(upgrade)
                        .addLast(new CeilingHandler(rooms, loops));
                  }
                })
            .bind(new InetSocketAddress(port))
            .sync()
            .channel();
  }

  private static io.netty.channel.IoHandlerFactory factory(boolean epoll) {
    return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** Starts on {@code port} (0: a free one) with one worker thread per core. */
  public static CeilingServer start(int port) throws InterruptedException {
    return start(port, Timeouts.DEFAULT);
  }

  /** Starts with other keep-alive and client timeouts (tests). */
  static CeilingServer start(int port, Timeouts timeouts) throws InterruptedException {
    return new CeilingServer(port, Runtime.getRuntime().availableProcessors(), timeouts);
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws InterruptedException {
    int port = 8080;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--port") && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else if (args[i].startsWith("--port=")) {
        port = Integer.parseInt(args[i].substring(7));
      } else {
        System.err.println("usage: CeilingServer [--port P]");
        System.exit(2);
      }
    }
    CeilingServer s = start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  s.close();
                  stopped.countDown();
                }));
    System.out.println("listening on " + s.port());
    System.out.flush();
    stopped.await();
  }
}
