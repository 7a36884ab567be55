package org.jvmchat.load.ceiling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.load.internal.LengthPrefixFramer;
import org.jvmchat.load.internal.MessageFramer;
import org.jvmchat.load.internal.MsgPack;
import org.jvmchat.load.internal.RecordSeparatorFramer;

/**
 * One ceiling connection: the SignalR handshake ({@code json} or {@code messagepack}), then
 * invocations parsed with Jackson's streaming parser (JSON) or read by position (MessagePack).
 * {@code JoinRoom} adds the connection to its loop's slot of the room ({@link Room}), first sending
 * {@code UserJoined} to the members already there when it is not a repeated join (as the chat
 * server does, broadcast the way a message is); {@code SendMessage} serializes one {@code
 * ReceiveMessage} per protocol present in the room (at most two), each once into one pooled buffer
 * that holds the whole WebSocket frame, header included ({@link WsFrames}); it hands one task to
 * each other loop with members in the room and delivers to its own loop's members directly ({@link
 * Loop#deliver}: a retained duplicate of the frame per member, written from the first handler's
 * context, so past the WebSocket encoder, and not flushed), then completes the caller's invocation.
 * Each loop flushes the connections it wrote to once, in a task queued behind its current batch.
 *
 * <p>It is the connection's only handler after the WebSocket upgrade ({@link Upgrade}) besides
 * Netty's WebSocket decoder and encoder, and is also its {@link Member}: it answers WebSocket pings
 * with pongs and close frames with close frames, takes continuation frames as part of the message
 * they continue (its framer reassembles messages across frames, so no frame aggregator), and gets
 * its keep-alive pings and its client-timeout close from its loop's sweep ({@link Loop}). What an
 * idle joined connection holds beyond Netty's channel: this object (its protocol, its loop, its
 * number, the last read and write ticks, one framer, the one room it joined, more only when it
 * joins more), and its slot entry in the room. Its user id is made from its number when needed.
 */
final class CeilingHandler extends Member {
  private static final AtomicInteger NUMBERS = new AtomicInteger();
  private static final byte[] MP_PING = {0x02, (byte) 0x91, 0x06};
  private static final byte[] K_ID = MsgPack.encoded("id");
  private static final byte[] K_ROOM_ID = MsgPack.encoded("roomId");
  private static final byte[] K_SENDER_ID = MsgPack.encoded("senderId");
  private static final byte[] K_SENDER_NAME = MsgPack.encoded("senderName");
  private static final byte[] K_CONTENT = MsgPack.encoded("content");
  private static final byte[] K_KIND = MsgPack.encoded("kind");
  private static final byte[] K_CREATED_AT = MsgPack.encoded("createdAt");
  private static final byte[] K_NAME = MsgPack.encoded("name");
  private static final byte[] K_IS_PRIVATE = MsgPack.encoded("isPrivate");
  private static final byte[] K_CREATED_BY = MsgPack.encoded("createdBy");
  private static final byte[] V_USER = MsgPack.encoded("user");
  private static final byte[] RECEIVE_MESSAGE = MsgPack.encoded("ReceiveMessage");
  private static final JsonFactory JSON =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
  private static final AtomicLong IDS = new AtomicLong();
  private static final byte RS = RecordSeparatorFramer.RS;
  private static final byte[] PING = "{\"type\":6}\u001e".getBytes(StandardCharsets.US_ASCII);

  /** The keep-alive pings as pre-framed WebSocket frames, written from the first handler. */
  private static final ByteBuf PING_FRAME = preFramed(PING, WsFrames.TEXT);

  private static final ByteBuf MP_PING_FRAME = preFramed(MP_PING, WsFrames.BINARY);

  /** One parsed hub message; {@code arguments} holds the string arguments. */
  record Invocation(int type, String invocationId, String target, List<String> arguments) {}

  private final Rooms rooms;
  private final Loops loops;

  /** The number its user id is made of ({@link #userId}). */
  private final int number = NUMBERS.incrementAndGet();

  /**
   * The rooms this connection joined, to leave them when it closes: the first here, any more in
   * {@code moreJoined} (made on a second room only).
   */
  private Room joined;

  private Room[] moreJoined;

  /** JSON's until the handshake chose MessagePack, then the length-prefix framer. */
  private MessageFramer framer = new RecordSeparatorFramer(CeilingServer.MAX_MESSAGE);

  private boolean handshaken;

  /** Whether the message under way is text, for the continuation frames that may follow. */
  private boolean continuingText;

  CeilingHandler(Rooms rooms, Loops loops) {
    this.rooms = rooms;
    this.loops = loops;
  }

  private static ByteBuf preFramed(byte[] payload, int opcode) {
    ByteBuf b = Unpooled.directBuffer(WsFrames.HEADER_ROOM + payload.length);
    WsFrames.reserve(b);
    int start = b.writerIndex();
    b.writeBytes(payload);
    return Unpooled.unreleasableBuffer(WsFrames.finish(b, start, opcode));
  }

  /** {@code ceiling-<number>}: the connection is the user, its name the same. */
  private String userId() {
    return "ceiling-" + Integer.toHexString(number);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    wire = ctx.pipeline().context(CeilingServer.WIRE);
    loop = loops.of(ctx.channel().eventLoop());
    loop.add(this);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastRead = loop.tick();
    try {
      if (msg instanceof WebSocketFrame frame) {
        frameRead(ctx, frame);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void frameRead(ChannelHandlerContext ctx, WebSocketFrame frame) {
    boolean text;
    if (frame instanceof TextWebSocketFrame) {
      text = true;
    } else if (frame instanceof BinaryWebSocketFrame) {
      text = false;
    } else if (frame instanceof ContinuationWebSocketFrame) {
      text = continuingText;
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
      return;
    } else if (frame instanceof CloseWebSocketFrame) {
      ctx.writeAndFlush(frame.retain()).addListener(ChannelFutureListener.CLOSE);
      return;
    } else {
      return; // pong
    }
    continuingText = text;
    ByteBuf content = frame.content();
    if (!handshaken) {
      // The handshake is JSON up to 0x1E whatever the protocol; MessagePack may follow it.
      int rs = content.indexOf(content.readerIndex(), content.writerIndex(), RS);
      if (rs >= 0) {
        ByteBuf head = content.retainedSlice(content.readerIndex(), rs + 1 - content.readerIndex());
        try {
          framer.feed(head, ctx.alloc(), (buf, from, to) -> onMessage(ctx, buf, from, to));
        } finally {
          head.release();
        }
        content.readerIndex(rs + 1);
        if (handshaken && binary && !(framer instanceof LengthPrefixFramer)) {
          framer.release();
          framer = new LengthPrefixFramer(CeilingServer.MAX_MESSAGE);
        }
        if (!handshaken || !content.isReadable()) {
          return;
        }
      }
    }
    if (binary) {
      framer.feed(content, ctx.alloc(), (buf, from, to) -> onBinary(ctx, buf, from, to));
    } else if (text) {
      framer.feed(content, ctx.alloc(), (buf, from, to) -> onMessage(ctx, buf, from, to));
    }
  }

  private void onMessage(ChannelHandlerContext ctx, ByteBuf buf, int from, int to) {
    byte[] bytes = new byte[to - from];
    buf.getBytes(from, bytes);
    try {
      if (!handshaken) {
        handshake(ctx, bytes);
      } else {
        invoke(ctx, parse(bytes));
      }
    } catch (IOException | RuntimeException e) {
      closeWithError(ctx);
    }
  }

  private void closeWithError(ChannelHandlerContext ctx) {
    if (binary) {
      ByteBuf b = ctx.alloc().buffer(32);
      int start = MsgPack.beginFrame(b);
      MsgPack.arrayHeader(b, 3);
      MsgPack.uint(b, 7);
      MsgPack.str(b, "Invalid message.");
      MsgPack.bool(b, false);
      ctx.writeAndFlush(new BinaryWebSocketFrame(MsgPack.endFrame(b, start)))
          .addListener(f -> ctx.close());
      return;
    }
    ctx.writeAndFlush(text(ctx.alloc(), "{\"type\":7,\"error\":\"Invalid message.\"}\u001e"))
        .addListener(f -> ctx.close());
  }

  private void handshake(ChannelHandlerContext ctx, byte[] bytes) throws IOException {
    String protocol = null;
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          if (name.equals("protocol")) {
            protocol = p.getValueAsString();
          } else {
            p.skipChildren();
          }
        }
      }
    }
    if (!"json".equals(protocol) && !"messagepack".equals(protocol)) {
      ctx.writeAndFlush(
              text(
                  ctx.alloc(),
                  "{\"error\":\"The protocol '" + protocol + "' is not supported.\"}\u001e"))
          .addListener(f -> ctx.close());
      return;
    }
    handshaken = true;
    binary = "messagepack".equals(protocol);
    lastWrite = loop.tick();
    ctx.writeAndFlush(text(ctx.alloc(), "{}\u001e"));
  }

  static Invocation parse(byte[] bytes) throws IOException {
    int type = -1;
    String invocationId = null;
    String target = null;
    List<String> args = new ArrayList<>(2);
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not an object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "type":
            type = p.getIntValue();
            break;
          case "invocationId":
            invocationId = p.getValueAsString();
            break;
          case "target":
            target = p.getValueAsString();
            break;
          case "arguments":
            if (t == JsonToken.START_ARRAY) {
              while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                args.add(t == JsonToken.VALUE_STRING ? p.getText() : null);
                p.skipChildren();
              }
            }
            break;
          default:
            p.skipChildren();
        }
      }
    }
    return new Invocation(type, invocationId, target, args);
  }

  private void invoke(ChannelHandlerContext ctx, Invocation inv) throws IOException {
    switch (inv.type()) {
      case 1:
        break;
      case 6:
        return; // the client's ping: nothing to do
      case 7:
        ctx.close();
        return;
      default:
        if (inv.invocationId() != null) {
          completeError(ctx, inv.invocationId(), "Streaming is not supported.");
        }
        return;
    }
    String target = inv.target() == null ? "" : inv.target();
    List<String> a = inv.arguments();
    if (target.equals("JoinRoom") && a.size() == 1 && a.get(0) != null) {
      Room room = rooms.room(a.get(0));
      if (!hasJoined(room)) {
        addJoined(room);
        // Before this member is in the room: the others get it, the joiner does not.
        userJoined(ctx, room, a.get(0));
        room.join(this);
      }
      lastWrite = loop.tick();
      if (inv.invocationId() != null && binary) {
        ByteBuf b = ctx.alloc().buffer(160);
        int start = MsgPack.beginFrame(b);
        MsgPack.arrayHeader(b, 5);
        MsgPack.uint(b, 3);
        MsgPack.mapHeader(b, 0);
        MsgPack.str(b, inv.invocationId());
        MsgPack.uint(b, 3);
        MsgPack.mapHeader(b, 5);
        b.writeBytes(K_ID);
        MsgPack.str(b, a.get(0));
        b.writeBytes(K_NAME);
        MsgPack.str(b, a.get(0));
        b.writeBytes(K_IS_PRIVATE);
        MsgPack.bool(b, false);
        b.writeBytes(K_CREATED_BY);
        MsgPack.str(b, "ceiling");
        b.writeBytes(K_CREATED_AT);
        MsgPack.timestamp(b, Instant.now());
        ctx.writeAndFlush(new BinaryWebSocketFrame(MsgPack.endFrame(b, start)), ctx.voidPromise());
      } else if (inv.invocationId() != null) {
        ByteBuf b = ctx.alloc().buffer(192);
        try (JsonGenerator g = generator(b)) {
          g.writeStartObject();
          g.writeNumberField("type", 3);
          g.writeStringField("invocationId", inv.invocationId());
          g.writeObjectFieldStart("result");
          g.writeStringField("id", a.get(0));
          g.writeStringField("name", a.get(0));
          g.writeBooleanField("isPrivate", false);
          g.writeStringField("createdBy", "ceiling");
          g.writeStringField("createdAt", Instant.now().toString());
          g.writeEndObject();
          g.writeEndObject();
        }
        ctx.writeAndFlush(new TextWebSocketFrame(b.writeByte(RS)), ctx.voidPromise());
      }
    } else if (target.equals("SendMessage")
        && a.size() == 2
        && a.get(0) != null
        && a.get(1) != null) {
      send(ctx, inv.invocationId(), a.get(0), a.get(1));
    } else if (inv.invocationId() != null) {
      completeError(
          ctx, inv.invocationId(), "Unknown hub method or bad arguments: '" + target + "'.");
    }
  }

  private void send(ChannelHandlerContext ctx, String invocationId, String roomId, String content)
      throws IOException {
    String id = Long.toString(IDS.incrementAndGet(), 36);
    String userId = userId();
    Instant now = Instant.now();
    String createdAt = now.toString();
    int capacity = 192 + roomId.length() + content.length() + (content.length() >> 3);
    Room room = rooms.get(roomId);
    if (room != null) {
      // One pre-framed WebSocket frame per protocol present in the room, each serialized once.
      ByteBuf json =
          room.has(false) ? jsonFrame(ctx, capacity, id, userId, roomId, content, createdAt) : null;
      ByteBuf msgpack =
          room.has(true) ? binaryFrame(ctx, capacity, id, userId, roomId, content, now) : null;
      broadcast(room, json, msgpack);
    }
    if (invocationId == null) {
      return;
    }
    ByteBuf b = ctx.alloc().buffer(capacity);
    if (binary) {
      int start = MsgPack.beginFrame(b);
      MsgPack.arrayHeader(b, 5);
      MsgPack.uint(b, 3);
      MsgPack.mapHeader(b, 0);
      MsgPack.str(b, invocationId);
      MsgPack.uint(b, 3);
      message(b, id, userId, roomId, content, now);
      ctx.write(new BinaryWebSocketFrame(MsgPack.endFrame(b, start)), ctx.voidPromise());
      loop.wrote(this);
      return;
    }
    try (JsonGenerator g = generator(b)) {
      g.writeStartObject();
      g.writeNumberField("type", 3);
      g.writeStringField("invocationId", invocationId);
      g.writeFieldName("result");
      message(g, id, userId, roomId, content, createdAt);
      g.writeEndObject();
    }
    ctx.write(new TextWebSocketFrame(b.writeByte(RS)), ctx.voidPromise());
    loop.wrote(this);
  }

  /**
   * Delivers the pre-framed frames (either may be null: no member of that protocol) to every member
   * of the room: one task to each other loop with members in the room, none to a loop without; this
   * loop's members directly. Takes over the caller's references.
   */
  private void broadcast(Room room, ByteBuf json, ByteBuf msgpack) {
    Loop here = loop;
    for (Loop other : loops.all()) {
      Room.Slot slot = room.slot(other.index());
      if (other == here || slot.isEmpty()) {
        continue;
      }
      ByteBuf j = json == null ? null : json.retain();
      ByteBuf b = msgpack == null ? null : msgpack.retain();
      other.hand(
          () -> {
            try {
              other.deliver(slot, j, b);
            } finally {
              release(j);
              release(b);
            }
          });
    }
    here.deliver(room.slot(here.index()), json, msgpack);
    release(json);
    release(msgpack);
  }

  /**
   * {@code UserJoined} to every member already in the room, as the chat server sends it to the
   * others when a user newly joins (docs/CONTRACT.md); called before this connection is added, so
   * it does not get its own. Serialized once per protocol present in the room ({@link
   * UserJoinedFrames}) and broadcast like a message; nothing when the room is empty.
   */
  private void userJoined(ChannelHandlerContext ctx, Room room, String roomId) throws IOException {
    boolean toJson = room.has(false);
    boolean toBinary = room.has(true);
    if (!toJson && !toBinary) {
      return;
    }
    String userId = userId();
    ByteBuf json = toJson ? UserJoinedFrames.json(ctx.alloc(), roomId, userId) : null;
    ByteBuf msgpack = toBinary ? UserJoinedFrames.binary(ctx.alloc(), roomId, userId) : null;
    broadcast(room, json, msgpack);
  }

  /** The {@code ReceiveMessage} invocation as one pre-framed WebSocket text frame. */
  private ByteBuf jsonFrame(
      ChannelHandlerContext ctx,
      int capacity,
      String id,
      String userId,
      String roomId,
      String content,
      String createdAt)
      throws IOException {
    ByteBuf b = ctx.alloc().buffer(capacity);
    WsFrames.reserve(b);
    int payload = b.writerIndex();
    try (JsonGenerator g = generator(b)) {
      g.writeStartObject();
      g.writeNumberField("type", 1);
      g.writeStringField("target", "ReceiveMessage");
      g.writeArrayFieldStart("arguments");
      message(g, id, userId, roomId, content, createdAt);
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException | RuntimeException e) {
      b.release();
      throw e;
    }
    b.writeByte(RS);
    return WsFrames.finish(b, payload, WsFrames.TEXT);
  }

  /** The {@code ReceiveMessage} invocation as one pre-framed WebSocket binary frame. */
  private ByteBuf binaryFrame(
      ChannelHandlerContext ctx,
      int capacity,
      String id,
      String userId,
      String roomId,
      String content,
      Instant createdAt) {
    return WsFrames.binaryInvocation(
        ctx.alloc().buffer(capacity),
        RECEIVE_MESSAGE,
        b -> message(b, id, userId, roomId, content, createdAt));
  }

  private static void release(ByteBuf b) {
    if (b != null) {
      b.release();
    }
  }

  private static void message(
      ByteBuf b, String id, String userId, String roomId, String content, Instant createdAt) {
    MsgPack.mapHeader(b, 7);
    b.writeBytes(K_ID);
    MsgPack.str(b, id);
    b.writeBytes(K_ROOM_ID);
    MsgPack.str(b, roomId);
    b.writeBytes(K_SENDER_ID);
    MsgPack.str(b, userId);
    b.writeBytes(K_SENDER_NAME);
    MsgPack.str(b, userId);
    b.writeBytes(K_CONTENT);
    MsgPack.str(b, content);
    b.writeBytes(K_KIND);
    b.writeBytes(V_USER);
    b.writeBytes(K_CREATED_AT);
    MsgPack.timestamp(b, createdAt);
  }

  /** One MessagePack message: [type, headers, invocationId, target, [string args], ...]. */
  private void onBinary(ChannelHandlerContext ctx, ByteBuf buf, int from, int to) {
    try {
      invoke(ctx, parseBinary(buf, from, to));
    } catch (IOException | RuntimeException e) {
      closeWithError(ctx);
    }
  }

  static Invocation parseBinary(ByteBuf buf, int from, int to) throws IOException {
    long count = MsgPack.containerCount(buf, from);
    if (count < 1 || (buf.getUnsignedByte(from) & 0xf0) == 0x80) {
      throw new IOException("not an array");
    }
    int i = from + MsgPack.headerSize(buf, from);
    int type = (int) MsgPack.integer(buf, i);
    i = MsgPack.skip(buf, i);
    if (type != 1 || count < 5) {
      String id = null;
      if ((type == 4 || type == 5) && count >= 3) {
        i = MsgPack.skip(buf, i);
        id = string(buf, i);
      }
      return new Invocation(type, id, null, List.of());
    }
    i = MsgPack.skip(buf, i); // headers
    String invocationId = string(buf, i);
    i = MsgPack.skip(buf, i);
    String target = string(buf, i);
    i = MsgPack.skip(buf, i);
    long argc = MsgPack.containerCount(buf, i);
    List<String> args = new ArrayList<>(2);
    if (argc >= 0) {
      i += MsgPack.headerSize(buf, i);
      for (long k = 0; k < argc && i < to; k++) {
        args.add(string(buf, i));
        i = MsgPack.skip(buf, i);
      }
    }
    if (i > to) {
      throw new IOException("truncated");
    }
    return new Invocation(type, invocationId, target, args);
  }

  /** The string at {@code i}, or null when the value there is not a (non-empty) string. */
  private static String string(ByteBuf buf, int i) {
    int length = MsgPack.strLength(buf, i);
    if (length <= 0) {
      return null;
    }
    return buf.toString(i + MsgPack.headerSize(buf, i), length, StandardCharsets.UTF_8);
  }

  private static void message(
      JsonGenerator g, String id, String userId, String roomId, String content, String createdAt)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("id", id);
    g.writeStringField("roomId", roomId);
    g.writeStringField("senderId", userId);
    g.writeStringField("senderName", userId);
    g.writeStringField("content", content);
    g.writeStringField("kind", "user");
    g.writeStringField("createdAt", createdAt);
    g.writeEndObject();
  }

  private void completeError(ChannelHandlerContext ctx, String invocationId, String error)
      throws IOException {
    ByteBuf b = ctx.alloc().buffer(128);
    if (binary) {
      int start = MsgPack.beginFrame(b);
      MsgPack.arrayHeader(b, 5);
      MsgPack.uint(b, 3);
      MsgPack.mapHeader(b, 0);
      MsgPack.str(b, invocationId);
      MsgPack.uint(b, 1);
      MsgPack.str(b, error);
      ctx.writeAndFlush(new BinaryWebSocketFrame(MsgPack.endFrame(b, start)), ctx.voidPromise());
      return;
    }
    try (JsonGenerator g = generator(b)) {
      g.writeStartObject();
      g.writeNumberField("type", 3);
      g.writeStringField("invocationId", invocationId);
      g.writeStringField("error", error);
      g.writeEndObject();
    }
    ctx.writeAndFlush(new TextWebSocketFrame(b.writeByte(RS)), ctx.voidPromise());
  }

  static JsonGenerator generator(ByteBuf b) throws IOException {
    return JSON.createGenerator((OutputStream) new ByteBufOutputStream(b));
  }

  private static TextWebSocketFrame text(ByteBufAllocator alloc, String s) {
    ByteBuf b = alloc.buffer(s.length());
    b.writeCharSequence(s, StandardCharsets.UTF_8);
    return new TextWebSocketFrame(b);
  }

  @Override
  void keepAlive() {
    if (handshaken) {
      ByteBuf ping = binary ? MP_PING_FRAME : PING_FRAME;
      wire.writeAndFlush(ping.duplicate(), wire.voidPromise());
    }
  }

  private boolean hasJoined(Room room) {
    if (joined == room) {
      return true;
    }
    if (moreJoined != null) {
      for (Room r : moreJoined) {
        if (r == room) {
          return true;
        }
      }
    }
    return false;
  }

  private void addJoined(Room room) {
    if (joined == null) {
      joined = room;
    } else if (moreJoined == null) {
      moreJoined = new Room[] {room};
    } else {
      moreJoined = Arrays.copyOf(moreJoined, moreJoined.length + 1);
      moreJoined[moreJoined.length - 1] = room;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (loop != null) {
      loop.remove(this);
    }
    framer.release();
    if (joined != null) {
      joined.leave(this);
      joined = null;
    }
    if (moreJoined != null) {
      for (Room room : moreJoined) {
        room.leave(this);
      }
      moreJoined = null;
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
