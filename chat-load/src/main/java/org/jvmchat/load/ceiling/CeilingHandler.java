package org.jvmchat.load.ceiling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.load.internal.RecordSeparatorFramer;

/**
 * One ceiling connection: the SignalR JSON handshake, then invocations parsed with Jackson's
 * streaming parser. {@code JoinRoom} adds the channel to the room's group; {@code SendMessage}
 * serializes one {@code ReceiveMessage} into a pooled buffer and writes a retained duplicate of it
 * to every member, then completes the caller's invocation with the message.
 */
final class CeilingHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
  private static final JsonFactory JSON =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
  private static final AtomicLong IDS = new AtomicLong();
  private static final byte RS = RecordSeparatorFramer.RS;
  private static final byte[] PING = "{\"type\":6}\u001e".getBytes(StandardCharsets.US_ASCII);

  /** One parsed hub message; {@code arguments} holds the string arguments. */
  record Invocation(int type, String invocationId, String target, List<String> arguments) {}

  private final Rooms rooms;
  private final RecordSeparatorFramer framer = new RecordSeparatorFramer(CeilingServer.MAX_MESSAGE);
  private boolean handshaken;
  private String userId;

  CeilingHandler(Rooms rooms) {
    this.rooms = rooms;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
    framer.feed(frame.content(), ctx.alloc(), (buf, from, to) -> onMessage(ctx, buf, from, to));
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
      ctx.writeAndFlush(text(ctx.alloc(), "{\"type\":7,\"error\":\"Invalid message.\"}\u001e"))
          .addListener(f -> ctx.close());
    }
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
    if (!"json".equals(protocol)) {
      ctx.writeAndFlush(
              text(
                  ctx.alloc(),
                  "{\"error\":\"The protocol '" + protocol + "' is not supported.\"}\u001e"))
          .addListener(f -> ctx.close());
      return;
    }
    handshaken = true;
    userId = "ceiling-" + ctx.channel().id().asShortText();
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
      rooms.join(a.get(0), ctx.channel());
      if (inv.invocationId() != null) {
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
    String createdAt = Instant.now().toString();
    int capacity = 192 + roomId.length() + content.length() + (content.length() >> 3);
    ByteBuf frame = ctx.alloc().buffer(capacity);
    try (JsonGenerator g = generator(frame)) {
      g.writeStartObject();
      g.writeNumberField("type", 1);
      g.writeStringField("target", "ReceiveMessage");
      g.writeArrayFieldStart("arguments");
      message(g, id, roomId, content, createdAt);
      g.writeEndArray();
      g.writeEndObject();
    }
    frame.writeByte(RS);
    ChannelGroup members = rooms.members(roomId);
    if (members != null) {
      for (Channel c : members) {
        c.writeAndFlush(new TextWebSocketFrame(frame.retainedDuplicate()), c.voidPromise());
      }
    }
    frame.release();
    if (invocationId != null) {
      ByteBuf b = ctx.alloc().buffer(capacity);
      try (JsonGenerator g = generator(b)) {
        g.writeStartObject();
        g.writeNumberField("type", 3);
        g.writeStringField("invocationId", invocationId);
        g.writeFieldName("result");
        message(g, id, roomId, content, createdAt);
        g.writeEndObject();
      }
      ctx.writeAndFlush(new TextWebSocketFrame(b.writeByte(RS)), ctx.voidPromise());
    }
  }

  private void message(JsonGenerator g, String id, String roomId, String content, String createdAt)
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
    try (JsonGenerator g = generator(b)) {
      g.writeStartObject();
      g.writeNumberField("type", 3);
      g.writeStringField("invocationId", invocationId);
      g.writeStringField("error", error);
      g.writeEndObject();
    }
    ctx.writeAndFlush(new TextWebSocketFrame(b.writeByte(RS)), ctx.voidPromise());
  }

  private static JsonGenerator generator(ByteBuf b) throws IOException {
    return JSON.createGenerator((OutputStream) new ByteBufOutputStream(b));
  }

  private static TextWebSocketFrame text(ByteBufAllocator alloc, String s) {
    ByteBuf b = alloc.buffer(s.length());
    b.writeCharSequence(s, StandardCharsets.UTF_8);
    return new TextWebSocketFrame(b);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      if (handshaken) {
        ctx.writeAndFlush(
            new TextWebSocketFrame(ctx.alloc().buffer(PING.length).writeBytes(PING)),
            ctx.voidPromise());
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    framer.release();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
