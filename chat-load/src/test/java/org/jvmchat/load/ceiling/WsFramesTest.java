package org.jvmchat.load.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ceiling's pre-framed frames are what Netty's own WebSocket encoder makes of the same payload,
 * and a client-side decoder reads them back, at every header size (7-, 16- and 64-bit lengths).
 */
class WsFramesTest {
  @Test
  void preFramedFramesAreTheEncodersBytesAtEveryLengthBoundary() {
    for (int length : List.of(0, 1, 125, 126, 127, 65535, 65536, 70000)) {
      for (boolean binary : List.of(false, true)) {
        ByteBuf payload = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
          payload.writeByte('a' + i % 26);
        }
        ByteBuf framed = Unpooled.buffer();
        WsFrames.reserve(framed);
        int start = framed.writerIndex();
        framed.writeBytes(payload, payload.readerIndex(), length);
        WsFrames.finish(framed, start, binary ? WsFrames.BINARY : WsFrames.TEXT);

        EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        encoder.writeOutbound(
            binary
                ? new BinaryWebSocketFrame(payload.retainedDuplicate())
                : new TextWebSocketFrame(payload.retainedDuplicate()));
        ByteBuf expected = Unpooled.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
          expected.writeBytes(b);
          b.release();
        }
        assertThat(ByteBufUtil.hexDump(framed))
            .as("length %d, binary %s", length, binary)
            .isEqualTo(ByteBufUtil.hexDump(expected));

        EmbeddedChannel decoder =
            new EmbeddedChannel(
                new WebSocket13FrameDecoder(
                    WebSocketDecoderConfig.newBuilder()
                        .expectMaskedFrames(false)
                        .maxFramePayloadLength(1 << 20)
                        .build()));
        decoder.writeInbound(framed);
        WebSocketFrame frame = decoder.readInbound();
        assertThat(frame)
            .isInstanceOf(binary ? BinaryWebSocketFrame.class : TextWebSocketFrame.class);
        assertThat(frame.isFinalFragment()).isTrue();
        assertThat(frame.content()).isEqualTo(payload);
        frame.release();
        payload.release();
        expected.release();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
      }
    }
  }
}
