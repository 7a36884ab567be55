package org.jvmchat.azure.signalr.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jvmchat.azure.signalr.protocol.ServiceMessage;
import org.jvmchat.azure.signalr.protocol.ServiceMessage.*;
import org.jvmchat.azure.signalr.protocol.ServiceProtocol;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.spi.HubConnectionAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server connection: a WebSocket from this app server to the service's {@code
 * /server/?hub=<hub>&cid=<id>}, authenticated with a server token, which carries many client
 * connections. It does the service handshake (version 1), keeps the connection alive (a ping when
 * nothing was sent for the keep-alive interval; closed and reconnected when the service said
 * nothing for the service timeout), opens a hub connection for each {@code OpenConnection} and
 * passes {@code ConnectionData} both ways, and reconnects with exponential backoff (with jitter)
 * whenever it drops, until stopped. When it drops, the clients it carried are ended (the service
 * drops them too). All its state lives on its channel's event loop; {@link #send} may be called
 * from any thread.
 */
final class ServiceConnection {
  private static final Logger log = LoggerFactory.getLogger(ServiceConnection.class);
  private static final String USER_AGENT =
      "jvmchat-azure-signalr/0.1 (Java " + Runtime.version() + ")";

  private final AzureHubLifetimeManager hub;
  private final int index;
  private final String id = java.util.UUID.randomUUID().toString();
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> offlineAcked = new CompletableFuture<>();

  private volatile Channel channel;
  private volatile boolean ready;
  private volatile boolean stopped;
  private volatile String lastError;
  private long delayMillis;
  private long lastSend;
  private long lastReceive;
  private ScheduledFuture<?> keepAlive;

  ServiceConnection(AzureHubLifetimeManager hub, int index) {
    this.hub = hub;
    this.index = index;
    this.delayMillis = hub.options().reconnectDelay().toMillis();
  }

  boolean isReady() {
    return ready;
  }

  String lastError() {
    return lastError;
  }

  int clientCount() {
    return clients.size();
  }

  CompletableFuture<Void> offlineAcked() {
    return offlineAcked;
  }

  // ------------------------------------------------------------------ connecting

  void connect() {
    if (stopped) {
      return;
    }
    String hubName = hub.serviceHubName();
    String base = hub.options().connectionString().serverEndpoint();
    String audience = hub.options().connectionString().endpoint() + "/server/?hub=" + hubName;
    URI http = URI.create(base + "/server/?hub=" + hubName + "&cid=" + id);
    boolean tls = "https".equals(http.getScheme());
    int port = http.getPort() > 0 ? http.getPort() : tls ? 443 : 80;
    URI ws =
        URI.create((tls ? "wss" : "ws") + http.toString().substring(http.getScheme().length()));
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(
        "Authorization", "Bearer " + hub.tokens().server(audience, hub.options().serverId()));
    headers.set("Asrs-User-Agent", USER_AGENT);
    headers.set("X-ASRS-Server-Id", hub.options().serverId());
    SslContext ssl;
    try {
      ssl = tls ? SslContextBuilder.forClient().build() : null;
    } catch (javax.net.ssl.SSLException e) {
      failed("TLS setup failed: " + e.getMessage());
      return;
    }
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(ws)
            .version(WebSocketVersion.V13)
            .customHeaders(headers)
            .maxFramePayloadLength(hub.options().maxMessageSize() + 16)
            .handshakeTimeoutMillis(hub.options().handshakeTimeout().toMillis())
            .dropPongFrames(true)
            .build();
    Bootstrap b =
        new Bootstrap()
            .group(hub.group())
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) hub.options().handshakeTimeout().toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      p.addLast(ssl.newHandler(ch.alloc(), http.getHost(), port));
                    }
                    p.addLast(new HttpClientCodec());
                    p.addLast(new HttpObjectAggregator(64 * 1024));
                    p.addLast(new WebSocketClientProtocolHandler(config));
                    p.addLast(new WebSocketFrameAggregator(hub.options().maxMessageSize() + 16));
                    p.addLast(new Handler());
                  }
                });
    b.connect(http.getHost(), port)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                failed("connect to " + http.getHost() + ":" + port + " failed: " + f.cause());
              }
            });
  }

  private void failed(String error) {
    lastError = error;
    log.warn("Server connection {} of hub {}: {}", index, hub.serviceHubName(), error);
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (stopped) {
      return;
    }
    long delay = delayMillis + ThreadLocalRandom.current().nextLong(delayMillis / 2 + 1);
    delayMillis = Math.min(delayMillis * 2, hub.options().maxReconnectDelay().toMillis());
    try {
      hub.group().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the group is shutting down
    }
  }

  // ------------------------------------------------------------------ sending

  /** Sends a message when the handshake is done; false otherwise. Any thread. */
  boolean send(ServiceMessage m) {
    Channel ch = channel;
    if (!ready || ch == null) {
      return false;
    }
    write(ch, m);
    return true;
  }

  private void write(Channel ch, ServiceMessage m) {
    ch.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ServiceProtocol.frame(m))));
    lastSend = System.nanoTime();
  }

  /** Asks the service to send no new clients here (graceful shutdown); false when not ready. */
  boolean goOffline() {
    return send(new Ping(List.of("offline", "fin:0")));
  }

  void stop() {
    stopped = true;
    ready = false;
    Channel ch = channel;
    if (ch != null) {
      ch.writeAndFlush(new CloseWebSocketFrame(1000, "server stopping"))
          .addListener(f -> ch.close());
    }
  }

  // ------------------------------------------------------------------ the channel

  private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final ServiceProtocol.FrameReader reader =
        new ServiceProtocol.FrameReader(hub.options().maxMessageSize());

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        channel = ctx.channel();
        lastReceive = System.nanoTime();
        write(ctx.channel(), new HandshakeRequest(ServiceProtocol.VERSION));
        EventExecutor loop = ctx.executor();
        long period = hub.options().keepAliveInterval().toNanos();
        keepAlive =
            loop.scheduleAtFixedRate(
                () -> tick(ctx.channel()), period, period, TimeUnit.NANOSECONDS);
        loop.schedule(
            () -> {
              if (!ready && ctx.channel().isActive()) {
                lastError = "the service did not answer the handshake in time";
                ctx.close();
              }
            },
            hub.options().handshakeTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
      } else if (evt
          == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
        lastError = "the WebSocket handshake timed out";
        ctx.close();
      }
      super.userEventTriggered(ctx, evt);
    }

    private void tick(Channel ch) {
      long now = System.nanoTime();
      if (now - lastReceive > hub.options().serviceTimeout().toNanos()) {
        lastError = "the service sent nothing for " + hub.options().serviceTimeout();
        log.warn("Server connection {} of hub {}: {}", index, hub.serviceHubName(), lastError);
        ch.close();
        return;
      }
      if (ready && now - lastSend >= hub.options().keepAliveInterval().toNanos() - 1_000_000) {
        write(ch, Ping.KEEP_ALIVE);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      lastReceive = System.nanoTime();
      if (!(frame instanceof BinaryWebSocketFrame)) {
        return;
      }
      List<ServiceMessage> messages;
      try {
        messages = reader.read(frame.content().nioBuffer());
      } catch (IllegalArgumentException e) {
        lastError = "the service sent an invalid message: " + e.getMessage();
        log.warn("Server connection {} of hub {}: {}", index, hub.serviceHubName(), lastError);
        ctx.close();
        return;
      }
      for (ServiceMessage m : messages) {
        dispatch(ctx, m);
      }
    }

    private void dispatch(ChannelHandlerContext ctx, ServiceMessage m) {
      if (m instanceof HandshakeResponse r) {
        if (r.succeeded()) {
          ready = true;
          lastError = null;
          delayMillis = hub.options().reconnectDelay().toMillis();
          log.debug("Server connection {} of hub {} is ready", index, hub.serviceHubName());
        } else {
          lastError = "the service refused the handshake: " + r.errorMessage();
          log.error("Server connection {} of hub {}: {}", index, hub.serviceHubName(), lastError);
          ctx.close();
        }
      } else if (m instanceof Ping p) {
        if (p.value("echo") != null) {
          write(ctx.channel(), p);
        } else if ("finack".equals(p.value("offline"))) {
          offlineAcked.complete(null);
        }
      } else if (m instanceof OpenConnection o) {
        open(ctx, o);
      } else if (m instanceof CloseConnection c) {
        Client client = clients.remove(c.connectionId());
        if (client != null) {
          client.accepted.closed(
              c.errorMessage() == null || c.errorMessage().isEmpty() ? null : c.errorMessage());
        }
      } else if (m instanceof ConnectionData d) {
        Client client = clients.get(d.connectionId());
        if (client == null) {
          log.debug("Data for connection {} which is not open here", d.connectionId());
        } else if (!client.accepted.receive(ByteBuffer.wrap(d.payload()))) {
          clients.remove(d.connectionId());
          write(ctx.channel(), new CloseConnection(d.connectionId(), null));
        }
      } else if (m instanceof ServiceError e) {
        lastError = "service error: " + e.errorMessage();
        log.error("Server connection {} of hub {}: {}", index, hub.serviceHubName(), lastError);
        ready = false;
        ctx.close();
      } else if (m instanceof Ack a) {
        hub.acked(a);
      } else if (m instanceof ClientInvocation ci) {
        hub.routed(ci);
      } else if (m instanceof ClientCompletion cc) {
        hub.clientCompleted(cc);
      } else if (m instanceof ErrorCompletion ec) {
        hub.clientFailed(ec);
      } else if (m instanceof ServiceEvent ev) {
        log.debug("Service event on hub {}: {}", hub.serviceHubName(), ev);
      }
    }

    private void open(ChannelHandlerContext ctx, OpenConnection o) {
      HubUser user = userOf(o.claims());
      Client client = new Client(o.connectionId(), ctx.channel());
      clients.put(o.connectionId(), client);
      client.accepted = hub.acceptor().open(o.connectionId(), user, client);
      hub.carriedBy(o.connectionId(), ServiceConnection.this);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      if (ctx.channel().isWritable()) {
        for (Client c : clients.values()) {
          c.accepted.writable();
        }
      }
      super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      boolean wasReady = ready;
      ready = false;
      channel = null;
      if (keepAlive != null) {
        keepAlive.cancel(false);
      }
      List<Client> dropped = new ArrayList<>(clients.values());
      clients.clear();
      for (Client c : dropped) {
        hub.carriedBy(c.connectionId, null);
        c.accepted.closed("The connection to Azure SignalR Service was lost");
      }
      if (!stopped) {
        if (wasReady) {
          log.warn(
              "Server connection {} of hub {} dropped ({} clients ended){}",
              index,
              hub.serviceHubName(),
              dropped.size(),
              lastError == null ? "" : ": " + lastError);
        }
        if (lastError == null) {
          lastError = "the service closed the connection";
        }
        scheduleReconnect();
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      lastError = String.valueOf(cause.getMessage());
      log.debug("Server connection {} of hub {} failed", index, hub.serviceHubName(), cause);
      ctx.close();
    }
  }

  /** A client carried by this server connection: the hub connection's transport. */
  private final class Client implements HubConnectionAcceptor.ConnectionTransport {
    final String connectionId;
    final Channel ch;
    volatile HubConnectionAcceptor.AcceptedConnection accepted;

    Client(String connectionId, Channel ch) {
      this.connectionId = connectionId;
      this.ch = ch;
    }

    @Override
    public EventExecutor eventLoop() {
      return ch.eventLoop();
    }

    @Override
    public boolean isWritable() {
      return ch.isWritable();
    }

    @Override
    public void send(byte[] bytes, boolean binary) {
      if (ch.isActive()) {
        write(ch, new ConnectionData(connectionId, bytes));
      }
    }

    @Override
    public void end(String error) {
      hub.carriedBy(connectionId, null);
      if (clients.remove(connectionId) != null && ch.isActive()) {
        write(ch, new CloseConnection(connectionId, error));
      }
    }
  }

  /**
   * The user of a client from the claims the service forwards (those of the client's access token):
   * the id from {@code asrs.s.uid} (else {@code sub}, else the name identifier), the name from
   * {@code name}; system claims ({@code asrs.s.*}, {@code aud}, {@code exp}, {@code iat}, {@code
   * nbf}) are left out, {@code asrs.u.x} becomes {@code x}. No id: anonymous (null).
   */
  static HubUser userOf(List<Claim> claims) {
    String uid = null;
    Map<String, Object> own = new LinkedHashMap<>();
    for (Claim c : claims) {
      String t = c.type();
      if (t.equals(AccessTokens.USER_ID)) {
        uid = c.value();
      } else if (t.startsWith(AccessTokens.USER_PREFIX)) {
        own.put(t.substring(AccessTokens.USER_PREFIX.length()), c.value());
      } else if (!t.startsWith(AccessTokens.SYSTEM_PREFIX)
          && !List.of("aud", "exp", "iat", "nbf").contains(t)) {
        Object prev = own.get(t);
        if (prev == null) {
          own.put(t, c.value());
        } else {
          List<Object> l = prev instanceof List<?> pl ? new ArrayList<>(pl) : new ArrayList<>();
          if (!(prev instanceof List<?>)) {
            l.add(prev);
          }
          l.add(c.value());
          own.put(t, List.copyOf(l));
        }
      }
    }
    if (uid == null) {
      Object sub = own.get("sub");
      Object nameId = own.get(AccessTokens.NAME_IDENTIFIER);
      uid = sub instanceof String s ? s : nameId instanceof String n ? n : null;
    }
    if (uid == null || uid.isEmpty()) {
      return null;
    }
    Object name = own.get("name");
    return new HubUser(uid, name instanceof String s ? s : uid, own);
  }
}
