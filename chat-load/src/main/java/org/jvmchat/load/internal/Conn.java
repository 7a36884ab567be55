package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jvmchat.load.Kind;
import org.jvmchat.load.Protocol;

/**
 * One driver connection: the last handler of a Netty WebSocket client pipeline, speaking SignalR
 * JSON, SignalR MessagePack (binary frames, VarInt-framed) or Socket.IO. Everything here runs on
 * the connection's event loop. Incoming frames are scanned for the few fields that matter ({@link
 * SignalRScan}, {@link MsgPackScan}, {@link SocketIoPacket}); no tree is built.
 */
public final class Conn extends SimpleChannelInboundHandler<WebSocketFrame> {
  /** Callbacks on the connection's event loop. */
  public interface Listener {
    /** A completion (SignalR) or ack (Socket.IO) of an invocation other than the JoinRoom. */
    default void onCompletion(Conn c, long invocationId, boolean error) {}

    /** A {@code ReceiveMessage} / {@code message} event whose content is one of our stamps. */
    default void onReceive(Conn c, Content.Stamp stamp) {}

    default void onClosed(Conn c) {}
  }

  private static final String HANDSHAKE = "{\"protocol\":\"json\",\"version\":1}\u001e";
  private static final String MSGPACK_HANDSHAKE =
      "{\"protocol\":\"messagepack\",\"version\":1}\u001e";
  private static final String PING = "{\"type\":6}\u001e";
  private static final byte[] MSGPACK_PING = {0x02, (byte) 0x91, 0x06};
  private static final byte[] JOIN_ROOM = MsgPack.encoded("JoinRoom");
  private static final byte[] SEND_MESSAGE = MsgPack.encoded("SendMessage");
  private static final byte[] ERROR = Bytes.ascii("\"error\":");
  private static final long KEEPALIVE_SECONDS = 10;

  private final int index;
  private final Kind kind;
  private final Listener listener;
  private final CompletableFuture<Conn> ready = new CompletableFuture<>();
  private final CompletableFuture<Conn> joined = new CompletableFuture<>();
  private final RecordSeparatorFramer framer = new RecordSeparatorFramer(1 << 20);
  private final boolean binary;
  private LengthPrefixFramer binaryFramer;
  private ByteBuf handshakeBytes;
  private Channel channel;
  private boolean handshaken;
  private long nextId = 1;
  private long joinId = -1;
  private ScheduledFuture<?> keepAlive;
  private volatile String closeReason;

  /** Scenario state of this connection. */
  public Object attachment;

  public Conn(int index, Kind kind, Listener listener) {
    this(index, kind, Protocol.JSON, listener);
  }

  /** A connection speaking {@code protocol.of(index)} (SignalR kinds only). */
  public Conn(int index, Kind kind, Protocol protocol, Listener listener) {
    this.index = index;
    this.kind = kind;
    this.listener = listener;
    this.binary = kind.signalR() && protocol.of(index) == Protocol.MESSAGEPACK;
    if (binary) {
      binaryFramer = new LengthPrefixFramer(1 << 20);
    }
  }

  public int index() {
    return index;
  }

  public Channel channel() {
    return channel;
  }

  /** Completes when the protocol handshake is done (SignalR {@code {}}, Socket.IO {@code 40}). */
  public CompletableFuture<Conn> ready() {
    return ready;
  }

  /** Completes when the JoinRoom completion (join ack) arrived. */
  public CompletableFuture<Conn> joined() {
    return joined;
  }

  public String closeReason() {
    return closeReason;
  }

  /** Invokes JoinRoom / emits join; call on any thread. */
  public CompletableFuture<Conn> join(String roomId) {
    channel
        .eventLoop()
        .execute(
            () -> joinId = binary ? writeInvocation(JOIN_ROOM, roomId) : write(joinText(roomId)));
    return joined;
  }

  /** Invokes SendMessage / emits send; call on the event loop. Returns the invocation id. */
  public long send(String roomId, String content) {
    return binary
        ? writeInvocation(SEND_MESSAGE, roomId, content)
        : write(sendText(roomId, content));
  }

  /** A MessagePack invocation as the JS client writes it: [1, {}, "id", target, [args]]. */
  private long writeInvocation(byte[] target, String... args) {
    long id = nextId++;
    ByteBuf b = channel.alloc().buffer(64 + args.length * 16 + args[args.length - 1].length());
    int start = MsgPack.beginFrame(b);
    MsgPack.arrayHeader(b, 5);
    MsgPack.uint(b, 1);
    MsgPack.mapHeader(b, 0);
    MsgPack.str(b, Long.toString(id));
    b.writeBytes(target);
    MsgPack.arrayHeader(b, args.length);
    for (String a : args) {
      MsgPack.str(b, a);
    }
    MsgPack.endFrame(b, start);
    channel.writeAndFlush(new BinaryWebSocketFrame(b), channel.voidPromise());
    return id;
  }

  /** The next invocation id {@link #send} will use. */
  public long nextId() {
    return nextId;
  }

  public void close() {
    if (channel != null) {
      channel.close();
    }
  }

  private String joinText(String roomId) {
    long id = nextId;
    if (kind.signalR()) {
      return "{\"type\":1,\"invocationId\":\""
          + id
          + "\",\"target\":\"JoinRoom\",\"arguments\":[\""
          + roomId
          + "\"]}\u001e";
    }
    return "42" + id + "[\"join\",\"" + roomId + "\"]";
  }

  private String sendText(String roomId, String content) {
    long id = nextId;
    if (kind.signalR()) {
      return "{\"type\":1,\"invocationId\":\""
          + id
          + "\",\"target\":\"SendMessage\",\"arguments\":[\""
          + roomId
          + "\",\""
          + content
          + "\"]}\u001e";
    }
    return "42" + id + "[\"send\",{\"roomId\":\"" + roomId + "\",\"content\":\"" + content + "\"}]";
  }

  private long write(String text) {
    long id = nextId++;
    writeRaw(text);
    return id;
  }

  private void writeRaw(String text) {
    ByteBuf b = channel.alloc().buffer(text.length());
    b.writeCharSequence(text, StandardCharsets.UTF_8);
    channel.writeAndFlush(new TextWebSocketFrame(b), channel.voidPromise());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      if (kind.signalR()) {
        writeRaw(binary ? MSGPACK_HANDSHAKE : HANDSHAKE);
        keepAlive =
            ctx.executor()
                .scheduleAtFixedRate(
                    this::ping, KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
      }
    } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      fail(ctx, "WebSocket handshake timed out");
    }
    super.userEventTriggered(ctx, evt);
  }

  private void ping() {
    if (binary) {
      channel.writeAndFlush(
          new BinaryWebSocketFrame(channel.alloc().buffer(3).writeBytes(MSGPACK_PING)),
          channel.voidPromise());
    } else {
      writeRaw(PING);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (binary && (frame instanceof BinaryWebSocketFrame || frame instanceof TextWebSocketFrame)) {
      readBinary(ctx, frame.content());
      return;
    }
    if (!(frame instanceof TextWebSocketFrame)) {
      return;
    }
    ByteBuf content = frame.content();
    if (kind.signalR()) {
      framer.feed(content, ctx.alloc(), this::onSignalR);
    } else {
      onSocketIo(content, content.readerIndex(), content.writerIndex());
    }
  }

  /** MessagePack: the JSON handshake answer up to 0x1E first, then VarInt-framed messages. */
  private void readBinary(ChannelHandlerContext ctx, ByteBuf content) {
    if (!handshaken) {
      if (handshakeBytes == null) {
        handshakeBytes = ctx.alloc().buffer(64);
      }
      int rs = content.indexOf(content.readerIndex(), content.writerIndex(), (byte) 0x1e);
      if (rs < 0) {
        handshakeBytes.writeBytes(content);
        return;
      }
      handshakeBytes.writeBytes(content, content.readerIndex(), rs - content.readerIndex());
      content.readerIndex(rs + 1);
      ByteBuf h = handshakeBytes;
      handshakeBytes = null;
      try {
        onSignalR(h, h.readerIndex(), h.writerIndex());
      } finally {
        h.release();
      }
      if (!handshaken || !content.isReadable()) {
        return;
      }
    }
    binaryFramer.feed(content, ctx.alloc(), this::onMessagePack);
  }

  private void onMessagePack(ByteBuf buf, int from, int to) {
    SignalRScan.Scanned s = MsgPackScan.scan(buf, from, to);
    dispatch(s, buf, from, to);
  }

  private void onSignalR(ByteBuf buf, int from, int to) {
    if (!handshaken) {
      handshaken = true;
      if (Bytes.indexOf(buf, from, to, ERROR) >= 0) {
        fail(null, "handshake refused: " + buf.toString(from, to - from, StandardCharsets.UTF_8));
      } else {
        ready.complete(this);
      }
      return;
    }
    dispatch(SignalRScan.scan(buf, from, to), buf, from, to);
  }

  private void dispatch(SignalRScan.Scanned s, ByteBuf buf, int from, int to) {
    switch (s.type()) {
      case SignalRScan.INVOCATION:
        if (s.isReceiveMessage()) {
          Content.Stamp stamp = Content.parse(buf, s.contentAt(), to);
          if (stamp != null) {
            listener.onReceive(this, stamp);
          }
        }
        break;
      case SignalRScan.COMPLETION:
        completion(s.invocationId(), s.error(), buf, from, to);
        break;
      case SignalRScan.CLOSE:
        fail(null, "server closed: " + buf.toString(from, to - from, StandardCharsets.UTF_8));
        break;
      default:
        break;
    }
  }

  private void onSocketIo(ByteBuf buf, int from, int to) {
    SocketIoPacket p = SocketIoPacket.parse(buf, from, to);
    switch (p.type()) {
      case OPEN:
        writeRaw("40");
        break;
      case PING:
        writeRaw("3");
        break;
      case CONNECT:
        handshaken = true;
        ready.complete(this);
        break;
      case EVENT:
        if (p.contentAt() >= 0) {
          Content.Stamp stamp = Content.parse(buf, p.contentAt(), to);
          if (stamp != null) {
            listener.onReceive(this, stamp);
          }
        }
        break;
      case ACK:
        completion(p.ackId(), Bytes.indexOf(buf, p.dataAt(), to, ERROR) >= 0, buf, from, to);
        break;
      case CONNECT_ERROR:
      case DISCONNECT:
      case CLOSE:
        fail(
            null,
            "server refused or closed: " + buf.toString(from, to - from, StandardCharsets.UTF_8));
        break;
      default:
        break;
    }
  }

  private void completion(long id, boolean error, ByteBuf buf, int from, int to) {
    if (id == joinId && !joined.isDone()) {
      if (error) {
        fail(null, "JoinRoom failed: " + buf.toString(from, to - from, StandardCharsets.UTF_8));
      } else {
        joined.complete(this);
      }
      return;
    }
    listener.onCompletion(this, id, error);
  }

  private void fail(ChannelHandlerContext ctx, String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    IllegalStateException e = new IllegalStateException(reason);
    ready.completeExceptionally(e);
    joined.completeExceptionally(e);
    channel.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, String.valueOf(cause.getMessage() == null ? cause : cause.getMessage()));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (keepAlive != null) {
      keepAlive.cancel(false);
    }
    framer.release();
    if (binaryFramer != null) {
      binaryFramer.release();
    }
    if (handshakeBytes != null) {
      handshakeBytes.release();
      handshakeBytes = null;
    }
    if (closeReason == null) {
      closeReason = "connection closed";
    }
    IllegalStateException e = new IllegalStateException(closeReason);
    ready.completeExceptionally(e);
    joined.completeExceptionally(e);
    listener.onClosed(this);
    super.channelInactive(ctx);
  }
}
