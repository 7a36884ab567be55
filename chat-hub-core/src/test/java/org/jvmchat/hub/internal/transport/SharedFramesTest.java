package org.jvmchat.hub.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * A broadcast's shared frames: byte for byte what Netty's WebSocket encoder writes, one buffer per
 * protocol written to every socket as a duplicate (no copy), flushed by the loop, and every
 * reference given back.
 */
class SharedFramesTest {
  /** What Netty's own server-side encoder (RFC 6455, no mask) writes for {@code frame}. */
  static byte[] nettyEncoded(WebSocketFrame frame) {
    EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
    ch.writeOutbound(frame);
    ByteBuf all = Unpooled.buffer();
    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
      ByteBuf b = (ByteBuf) o;
      all.writeBytes(b);
      b.release();
    }
    ch.finishAndReleaseAll();
    byte[] bytes = ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }

  /** A protocol whose serialized form is {@code payload} whatever the message; counts its calls. */
  static class FixedProtocol implements HubProtocol {
    final HubProtocol format;
    final byte[] payload;
    final AtomicInteger calls = new AtomicInteger();

    FixedProtocol(HubProtocol format, int length) {
      this.format = format;
      this.payload = new byte[length];
      for (int i = 0; i < length; i++) {
        payload[i] = (byte) ('a' + i % 26);
      }
    }

    @Override
    public String name() {
      return format.name();
    }

    @Override
    public int version() {
      return format.version();
    }

    @Override
    public org.jvmchat.protocol.TransferFormat transferFormat() {
      return format.transferFormat();
    }

    @Override
    public byte[] toBytes(HubMessage message) {
      calls.incrementAndGet();
      return payload;
    }

    @Override
    public HubMessage tryParse(
        ByteBuffer buffer, org.jvmchat.protocol.InvocationBinder binder, int maxMessageSize) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void write(HubMessage message, java.io.OutputStream out) throws java.io.IOException {
      out.write(toBytes(message));
    }
  }

  @Test
  void framesAreByteForByteWhatNettysEncoderWritesForEveryLengthClass() {
    for (int length : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 70_000}) {
      FixedProtocol json = new FixedProtocol(new JsonHubProtocol(), length);
      FixedProtocol msgpack = new FixedProtocol(new MessagePackHubProtocol(), length);
      SharedFrames frames =
          SharedFrames.of(
              new SerializedHubMessage(InvocationMessage.send("m", new Object[0])),
              new HubProtocol[] {json, msgpack});
      try {
        assertThat(ByteBufUtil.getBytes(frames.frame(json)))
            .as("text, %d bytes", length)
            .isEqualTo(nettyEncoded(new TextWebSocketFrame(Unpooled.wrappedBuffer(json.payload))));
        assertThat(ByteBufUtil.getBytes(frames.frame(msgpack)))
            .as("binary, %d bytes", length)
            .isEqualTo(
                nettyEncoded(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(msgpack.payload))));
      } finally {
        frames.release();
      }
    }
  }

  @Test
  void aMixedRoomIsSerializedAndFramedOncePerProtocol() {
    FixedProtocol json = new FixedProtocol(new JsonHubProtocol(), 40);
    FixedProtocol msgpack = new FixedProtocol(new MessagePackHubProtocol(), 30);
    SerializedHubMessage m = new SerializedHubMessage(InvocationMessage.send("m", new Object[0]));
    SharedFrames frames = SharedFrames.of(m, new HubProtocol[] {json, msgpack});
    ByteBuf jsonFrame = frames.frame(json);
    ByteBuf binaryFrame = frames.frame(msgpack);
    for (int i = 0; i < 1000; i++) {
      assertThat(frames.frame(i % 2 == 0 ? json : msgpack))
          .isSameAs(i % 2 == 0 ? jsonFrame : binaryFrame);
      m.bytes(i % 2 == 0 ? json : msgpack); // the queue path's bytes: the same serialization
    }
    assertThat(json.calls).hasValue(1);
    assertThat(msgpack.calls).hasValue(1);
    assertThat(frames.frame(new JsonHubProtocol())).as("a protocol no member speaks").isNull();
    frames.release();
    assertThat(jsonFrame.refCnt()).isZero();
    assertThat(binaryFrame.refCnt()).isZero();
  }

  @Test
  void aMessageThatCannotBeSerializedFailsTheSenderAndAllocatesNothing() {
    HubProtocol failing =
        new FixedProtocol(new JsonHubProtocol(), 1) {
          @Override
          public byte[] toBytes(HubMessage message) {
            throw new IllegalArgumentException("cannot serialize");
          }
        };
    assertThatThrownBy(
            () ->
                SharedFrames.of(
                    new SerializedHubMessage(InvocationMessage.send("m", new Object[0])),
                    new HubProtocol[] {failing}))
        .hasMessage("cannot serialize");
  }

  @Test
  void everySocketGetsADuplicateOfTheSameBufferAndEveryReferenceComesBack() {
    FixedProtocol json = new FixedProtocol(new JsonHubProtocol(), 300);
    SharedFrames frames =
        SharedFrames.of(
            new SerializedHubMessage(InvocationMessage.send("m", new Object[0])),
            new HubProtocol[] {json});
    ByteBuf frame = frames.frame(json);
    // One embedded loop per channel; the flush of each is what the test drives.
    List<EmbeddedChannel> channels = new ArrayList<>();
    List<WebSocketTransport> transports = new ArrayList<>();
    List<LoopFlush> flushes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EmbeddedChannel ch = new EmbeddedChannel();
      WebSocketTransport t = new WebSocketTransport(ch, null, null);
      ch.pipeline().addLast(t);
      channels.add(ch);
      transports.add(t);
      flushes.add(new LoopFlush(ch.eventLoop()));
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 3; i++) {
        assertThat(transports.get(i).writeShared(frames, json, flushes.get(i))).isTrue();
      }
    }
    assertThat(transports.get(0).writeShared(frames, new JsonHubProtocol(), flushes.get(0)))
        .as("no frame for that protocol: the caller queues")
        .isFalse();
    frames.release(); // the sender's reference: the sockets' duplicates keep the buffer
    assertThat(frame.refCnt()).isEqualTo(6);
    for (EmbeddedChannel ch : channels) {
      ch.runPendingTasks(); // the loop's flush task (an embedded channel also runs it on its own)
    }
    byte[] expected = nettyEncoded(new TextWebSocketFrame(Unpooled.wrappedBuffer(json.payload)));
    for (EmbeddedChannel ch : channels) {
      for (int round = 0; round < 2; round++) {
        ByteBuf out = ch.readOutbound();
        assertThat(ByteBufUtil.getBytes(out)).isEqualTo(expected);
        // A duplicate shares the frame's memory: a change to the frame shows in it (not a copy).
        int at = frame.readerIndex() + 5;
        byte was = frame.getByte(at);
        frame.setByte(at, 'Z');
        assertThat(out.getByte(out.readerIndex() + 5))
            .as("a duplicate, not a copy")
            .isEqualTo((byte) 'Z');
        frame.setByte(at, was);
        out.release();
      }
      assertThat((Object) ch.readOutbound()).isNull();
    }
    assertThat(frame.refCnt()).isZero();
    for (EmbeddedChannel ch : channels) {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void aSocketThatIsNotWritableIsRefused() {
    FixedProtocol json = new FixedProtocol(new JsonHubProtocol(), 10);
    SharedFrames frames =
        SharedFrames.of(
            new SerializedHubMessage(InvocationMessage.send("m", new Object[0])),
            new HubProtocol[] {json});
    EmbeddedChannel ch = new EmbeddedChannel();
    WebSocketTransport t = new WebSocketTransport(ch, null, null);
    ch.pipeline().addLast(t);
    ch.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
    ch.write(Unpooled.wrappedBuffer(new byte[16])); // not flushed: pending past the high mark
    assertThat(ch.isWritable()).isFalse();
    assertThat(t.writeShared(frames, json, new LoopFlush(ch.eventLoop()))).isFalse();
    frames.release();
    assertThat(frames.frame(json)).isNull();
    ch.finishAndReleaseAll();
  }
}
