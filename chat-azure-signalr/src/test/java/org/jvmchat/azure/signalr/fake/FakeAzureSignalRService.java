package org.jvmchat.azure.signalr.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.azure.signalr.protocol.ServiceMessage;
import org.jvmchat.azure.signalr.protocol.ServiceMessage.*;
import org.jvmchat.azure.signalr.protocol.ServiceProtocol;

/**
 * A stand-in for Azure SignalR Service, written from its public specification (ServiceProtocol.md
 * and the REST/negotiate documentation) for the tests: no real service is reachable here. It
 * accepts server connections on {@code /server/?hub=} (bearer token signed with the access key,
 * {@code aud} = {@code <endpoint>/server/?hub=<hub>}, service handshake version 1), accepts SignalR
 * clients ({@code POST /client/negotiate?hub=} with the client token the app server's negotiate
 * redirect handed out, then the WebSocket on {@code /client/?hub=&id=}), hands each client to one
 * of the hub's server connections ({@code OpenConnection} with the token's claims) and relays:
 * client bytes as {@code ConnectionData}, and the server's data messages to the addressed clients
 * (connection, connections, user, users, group, groups, all, with exclusions), group membership
 * with acks, client invocations routed between servers, offline pings. It speaks only WebSockets to
 * clients.
 */
public final class FakeAzureSignalRService implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String accessKey;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private Channel server;
  private final io.netty.channel.group.ChannelGroup accepted =
      new io.netty.channel.group.DefaultChannelGroup(
          io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
  private String endpoint;

  /** Server connections by hub, in the order they connected. */
  private final Map<String, List<ServerConn>> servers = new ConcurrentHashMap<>();

  private final Map<String, ClientConn> clients = new ConcurrentHashMap<>();
  private final Map<String, Negotiated> negotiated = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> groups = new ConcurrentHashMap<>();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final AtomicInteger refusedTokens = new AtomicInteger();
  private final AtomicInteger keepAlives = new AtomicInteger();

  private record Negotiated(String connectionId, String hub, List<Claim> claims, String userId) {}

  public FakeAzureSignalRService(String accessKey) {
    this.accessKey = accessKey;
  }

  public FakeAzureSignalRService start() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accepted.add(ch);
                    ch.pipeline().addLast(new HttpServerCodec());
                    ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
                    ch.pipeline().addLast(new HttpHandler());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    endpoint = "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    // the service pings its server connections, as the real one does every few seconds
    group.scheduleAtFixedRate(
        () -> servers.values().forEach(l -> l.forEach(s -> s.send(Ping.KEEP_ALIVE))),
        1,
        1,
        TimeUnit.SECONDS);
    return this;
  }

  /** The {@code Endpoint=} of the connection string. */
  public String endpoint() {
    return endpoint;
  }

  public String connectionString() {
    return "Endpoint=" + endpoint + ";AccessKey=" + accessKey + ";Version=1.0;";
  }

  /** Server connections of {@code hub} whose service handshake is done. */
  public int readyServerConnections(String hub) {
    return (int)
        servers.getOrDefault(hub, List.of()).stream().filter(s -> s.ready && !s.offline).count();
  }

  public int clientCount() {
    return clients.size();
  }

  /** Requests refused for a missing or invalid token (401). */
  public int refusedTokens() {
    return refusedTokens.get();
  }

  public int keepAlivesReceived() {
    return keepAlives.get();
  }

  /** What the service saw, one line per event (for assertions and failure messages). */
  public List<String> log() {
    return List.copyOf(log);
  }

  /** Members of a group (connection ids). */
  public Set<String> group(String name) {
    return Set.copyOf(groups.getOrDefault(name, Set.of()));
  }

  /** Drops every server connection of {@code hub} without a close handshake. */
  public void dropServerConnections(String hub) {
    for (ServerConn s : servers.getOrDefault(hub, List.of())) {
      s.ch.close();
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    accepted.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  // ------------------------------------------------------------------ tokens

  /** The token's claims when it is signed with the key, unexpired and for {@code audience}. */
  private JWTClaimsSet verify(String token, String audience) {
    if (token == null) {
      return null;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!jwt.verify(new MACVerifier(accessKey.getBytes(StandardCharsets.UTF_8)))) {
        return null;
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      if (c.getExpirationTime() == null || c.getExpirationTime().before(new Date())) {
        return null;
      }
      if (!c.getAudience().contains(audience)) {
        log.add("wrong audience " + c.getAudience() + " expected " + audience);
        return null;
      }
      return c;
    } catch (Exception e) {
      return null;
    }
  }

  private static String bearer(FullHttpRequest req, QueryStringDecoder q) {
    String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (h != null && h.startsWith("Bearer ")) {
      return h.substring(7);
    }
    List<String> t = q.parameters().get("access_token");
    return t == null ? null : t.get(0);
  }

  // ------------------------------------------------------------------ HTTP

  private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String path = q.path();
      String hub = first(q, "hub");
      if (path.equals("/server/") || path.equals("/server")) {
        JWTClaimsSet claims = verify(bearer(req, q), endpoint + "/server/?hub=" + hub);
        if (claims == null) {
          refusedTokens.incrementAndGet();
          respond(ctx, HttpResponseStatus.UNAUTHORIZED, "");
          return;
        }
        ServerConn s = new ServerConn(hub, req.headers().get("X-ASRS-Server-Id"));
        upgrade(ctx, req, s);
      } else if (path.equals("/client/negotiate") && req.method() == HttpMethod.POST) {
        JWTClaimsSet claims = verify(bearer(req, q), endpoint + "/client/?hub=" + hub);
        if (claims == null) {
          refusedTokens.incrementAndGet();
          respond(ctx, HttpResponseStatus.UNAUTHORIZED, "");
          return;
        }
        List<Claim> list = new ArrayList<>();
        String uid = null;
        for (Map.Entry<String, Object> e : claims.getClaims().entrySet()) {
          Object v = e.getValue();
          if (v instanceof List<?> l) {
            for (Object o : l) {
              list.add(new Claim(e.getKey(), String.valueOf(o)));
            }
          } else if (v instanceof Date d) {
            list.add(new Claim(e.getKey(), Long.toString(d.getTime() / 1000)));
          } else {
            list.add(new Claim(e.getKey(), String.valueOf(v)));
          }
          if (e.getKey().equals("asrs.s.uid")) {
            uid = String.valueOf(v);
          }
        }
        String id = UUID.randomUUID().toString();
        String token = UUID.randomUUID().toString();
        negotiated.put(token, new Negotiated(id, hub, list, uid));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("negotiateVersion", 1);
        body.put("connectionId", id);
        body.put("connectionToken", token);
        body.put(
            "availableTransports",
            List.of(
                Map.of("transport", "WebSockets", "transferFormats", List.of("Text", "Binary"))));
        respond(ctx, HttpResponseStatus.OK, JSON.writeValueAsString(body));
      } else if ((path.equals("/client/") || path.equals("/client"))
          && "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
        Negotiated n = negotiated.remove(String.valueOf(first(q, "id")));
        if (n == null || !n.hub.equals(hub)) {
          respond(ctx, HttpResponseStatus.NOT_FOUND, "No Connection with that ID");
          return;
        }
        List<ServerConn> candidates =
            servers.getOrDefault(hub, List.of()).stream()
                .filter(s -> s.ready && !s.offline)
                .toList();
        if (candidates.isEmpty()) {
          respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "No server available");
          return;
        }
        ServerConn s =
            candidates.get(Math.floorMod(roundRobin.getAndIncrement(), candidates.size()));
        ClientConn c = new ClientConn(n.connectionId, hub, n.userId, s);
        upgrade(ctx, req, c);
        clients.put(c.id, c);
        s.clients.add(c.id);
        log.add("client " + c.id + " user " + n.userId + " -> server " + s.serverId);
        s.send(
            new OpenConnection(
                c.id,
                n.claims,
                Map.of("User-Agent", List.of(String.valueOf(req.headers().get("User-Agent")))),
                q.rawQuery(),
                null));
      } else {
        respond(ctx, HttpResponseStatus.NOT_FOUND, "");
      }
    }

    private void upgrade(
        ChannelHandlerContext ctx,
        FullHttpRequest req,
        SimpleChannelInboundHandler<WebSocketFrame> h) {
      WebSocketServerHandshaker hs =
          new WebSocketServerHandshakerFactory(
                  "ws://" + req.headers().get("Host") + req.uri(), null, false, 1 << 24)
              .newHandshaker(req);
      if (hs == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        return;
      }
      ctx.pipeline().replace(this, "ws", h);
      ctx.pipeline().addBefore("ws", "agg", new WebSocketFrameAggregator(1 << 24));
      hs.handshake(ctx.channel(), req);
    }
  }

  private static String first(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    ctx.writeAndFlush(r);
  }

  // ------------------------------------------------------------------ server connections

  private final class ServerConn extends SimpleChannelInboundHandler<WebSocketFrame> {
    final String hub;
    final String serverId;
    final Set<String> clients = ConcurrentHashMap.newKeySet();
    final ServiceProtocol.FrameReader reader = new ServiceProtocol.FrameReader(1 << 24);
    volatile Channel ch;
    volatile boolean ready;
    volatile boolean offline;

    ServerConn(String hub, String serverId) {
      this.hub = hub;
      this.serverId = serverId;
    }

    void send(ServiceMessage m) {
      Channel c = ch;
      if (c != null && c.isActive()) {
        c.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ServiceProtocol.frame(m))));
      }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ch = ctx.channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof CloseWebSocketFrame) {
        ctx.writeAndFlush(new CloseWebSocketFrame(1000, null))
            .addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        return;
      }
      if (!(frame instanceof BinaryWebSocketFrame)) {
        ctx.close();
        return;
      }
      for (ServiceMessage m : reader.read(frame.content().nioBuffer())) {
        handle(m);
      }
    }

    private void handle(ServiceMessage m) {
      if (m instanceof HandshakeRequest h) {
        if (h.version() != 1) {
          send(new HandshakeResponse("Version mismatch.", null, null));
          ch.close();
          return;
        }
        ready = true;
        servers.computeIfAbsent(hub, k -> new CopyOnWriteArrayList<>()).add(this);
        log.add("server " + serverId + " connected to hub " + hub);
        send(new HandshakeResponse(null, null, null));
      } else if (m instanceof Ping p) {
        if (p.messages().isEmpty()) {
          keepAlives.incrementAndGet();
        } else if (p.value("offline") != null) {
          offline = true;
          log.add("server " + serverId + " offline");
          send(new Ping(List.of("offline", "finack")));
        }
      } else if (m instanceof ConnectionData d) {
        ClientConn c = FakeAzureSignalRService.this.clients.get(d.connectionId());
        if (c != null) {
          c.write(d.payload());
        }
      } else if (m instanceof CloseConnection c) {
        ClientConn client = FakeAzureSignalRService.this.clients.get(c.connectionId());
        if (client != null) {
          log.add("server closed " + c.connectionId());
          client.closeByServer();
        }
      } else if (m instanceof MultiConnectionData d) {
        for (String id : d.connectionIds()) {
          deliver(id, d.payloads());
        }
      } else if (m instanceof UserData d) {
        deliverTo(byUser(Set.of(d.userId())), Set.of(), d.payloads());
      } else if (m instanceof MultiUserData d) {
        deliverTo(byUser(Set.copyOf(d.userIds())), Set.of(), d.payloads());
      } else if (m instanceof BroadcastData d) {
        Set<String> all = new LinkedHashSet<>();
        FakeAzureSignalRService.this.clients.values().stream()
            .filter(c -> c.hub.equals(hub))
            .forEach(c -> all.add(c.id));
        deliverTo(all, Set.copyOf(d.excluded()), d.payloads());
      } else if (m instanceof GroupBroadcastData d) {
        Set<String> members = new LinkedHashSet<>(groups.getOrDefault(key(d.group()), Set.of()));
        Set<String> excludedUsers = Set.copyOf(d.excludedUsers());
        members.removeIf(
            id -> {
              ClientConn c = FakeAzureSignalRService.this.clients.get(id);
              return c != null && c.userId != null && excludedUsers.contains(c.userId);
            });
        deliverTo(members, Set.copyOf(d.excluded()), d.payloads());
      } else if (m instanceof MultiGroupBroadcastData d) {
        Set<String> members = new LinkedHashSet<>();
        for (String g : d.groups()) {
          members.addAll(groups.getOrDefault(key(g), Set.of()));
        }
        deliverTo(members, Set.of(), d.payloads());
      } else if (m instanceof JoinGroup j) {
        join(j.connectionId(), j.group());
      } else if (m instanceof LeaveGroup l) {
        leave(l.connectionId(), l.group());
      } else if (m instanceof JoinGroupWithAck j) {
        send(new Ack(j.ackId(), join(j.connectionId(), j.group()) ? Ack.OK : Ack.NOT_FOUND, null));
      } else if (m instanceof LeaveGroupWithAck l) {
        send(new Ack(l.ackId(), leave(l.connectionId(), l.group()) ? Ack.OK : Ack.NOT_FOUND, null));
      } else if (m instanceof ClientInvocation ci) {
        ClientConn c = FakeAzureSignalRService.this.clients.get(ci.connectionId());
        if (c == null) {
          send(
              new ErrorCompletion(
                  ci.invocationId(),
                  ci.connectionId(),
                  ci.callerServerId(),
                  "Connection '" + ci.connectionId() + "' does not exist.",
                  null));
          return;
        }
        log.add(
            "client invocation "
                + ci.invocationId()
                + " from "
                + ci.callerServerId()
                + " routed to "
                + c.server.serverId);
        c.server.send(ci); // the holder registers it, then the client gets the invocation
        deliver(ci.connectionId(), ci.payloads());
      } else if (m instanceof ClientCompletion cc) {
        ServerConn caller = byServerId(cc.callerServerId());
        if (caller != null) {
          caller.send(cc);
        }
      } else if (m instanceof ErrorCompletion ec) {
        ServerConn caller = byServerId(ec.callerServerId());
        if (caller != null) {
          caller.send(ec);
        }
      } else {
        log.add("unexpected " + m.getClass().getSimpleName());
      }
    }

    private String key(String group) {
      return hub + "\u0000" + group;
    }

    private boolean join(String connectionId, String group) {
      if (!FakeAzureSignalRService.this.clients.containsKey(connectionId)) {
        return false;
      }
      groups.computeIfAbsent(key(group), k -> ConcurrentHashMap.newKeySet()).add(connectionId);
      return true;
    }

    private boolean leave(String connectionId, String group) {
      Set<String> g = groups.get(key(group));
      return g != null && g.remove(connectionId);
    }

    private Set<String> byUser(Set<String> users) {
      Set<String> ids = new LinkedHashSet<>();
      for (ClientConn c : FakeAzureSignalRService.this.clients.values()) {
        if (c.hub.equals(hub) && c.userId != null && users.contains(c.userId)) {
          ids.add(c.id);
        }
      }
      return ids;
    }

    private void deliverTo(Set<String> ids, Set<String> excluded, Map<String, byte[]> payloads) {
      for (String id : ids) {
        if (!excluded.contains(id)) {
          deliver(id, payloads);
        }
      }
    }

    private void deliver(String id, Map<String, byte[]> payloads) {
      ClientConn c = FakeAzureSignalRService.this.clients.get(id);
      if (c != null && c.protocol != null) {
        byte[] p = payloads.get(c.protocol);
        if (p != null) {
          c.write(p);
        }
      }
    }

    private ServerConn byServerId(String id) {
      for (List<ServerConn> l : servers.values()) {
        for (ServerConn s : l) {
          if (s.ready && id != null && id.equals(s.serverId)) {
            return s;
          }
        }
      }
      return null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ready = false;
      List<ServerConn> l = servers.get(hub);
      if (l != null) {
        l.remove(this);
      }
      log.add("server connection of " + serverId + " closed");
      for (String id : clients) {
        ClientConn c = FakeAzureSignalRService.this.clients.get(id);
        if (c != null) {
          c.closeByServer();
        }
      }
    }
  }

  // ------------------------------------------------------------------ client connections

  private final class ClientConn extends SimpleChannelInboundHandler<WebSocketFrame> {
    final String id;
    final String hub;
    final String userId;
    final ServerConn server;
    volatile Channel ch;

    /** The hub protocol, from the client's handshake (the service reads it too). */
    volatile String protocol;

    private boolean serverClosed;

    ClientConn(String id, String hub, String userId, ServerConn server) {
      this.id = id;
      this.hub = hub;
      this.userId = userId;
      this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ch = ctx.channel();
    }

    void write(byte[] payload) {
      Channel c = ch;
      if (c == null || !c.isActive()) {
        return;
      }
      ByteBuf b = Unpooled.wrappedBuffer(payload);
      c.writeAndFlush(
          "messagepack".equals(protocol) ? new BinaryWebSocketFrame(b) : new TextWebSocketFrame(b));
    }

    void closeByServer() {
      serverClosed = true;
      Channel c = ch;
      if (c != null) {
        c.writeAndFlush(new CloseWebSocketFrame(1000, null))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
      if (frame instanceof CloseWebSocketFrame) {
        ctx.writeAndFlush(new CloseWebSocketFrame(1000, null))
            .addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        return;
      }
      byte[] bytes = new byte[frame.content().readableBytes()];
      frame.content().readBytes(bytes);
      if (protocol == null) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0x1e) {
          end++;
        }
        JsonNode handshake = JSON.readTree(new String(bytes, 0, end, StandardCharsets.UTF_8));
        protocol = handshake.path("protocol").asText();
      }
      server.send(new ConnectionData(id, bytes));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      clients.remove(id);
      server.clients.remove(id);
      groups.values().forEach(g -> g.remove(id));
      if (!serverClosed) {
        server.send(new CloseConnection(id, null));
      }
    }
  }
}
