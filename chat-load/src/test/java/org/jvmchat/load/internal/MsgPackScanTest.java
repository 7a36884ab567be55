package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MsgPackScanTest {
  /**
   * The chat server's ReceiveMessage as its MessagePack protocol writes it (chat-server vector).
   */
  private static final String RECEIVE_MESSAGE =
      "75 96 01 80 c0 ae 52 65 63 65 69 76 65 4d 65 73 73 61 67 65 91 87 a2 69 64 a2 6d 31 a6 72"
          + " 6f 6f 6d 49 64 a2 72 31 a8 73 65 6e 64 65 72 49 64 a5 61 6c 69 63 65 aa 73 65 6e 64"
          + " 65 72 4e 61 6d 65 a5 41 6c 69 63 65 a7 63 6f 6e 74 65 6e 74 a8 48 69 20 74 68 65 72"
          + " 65 a4 6b 69 6e 64 a4 75 73 65 72 a9 63 72 65 61 74 65 64 41 74 d7 ff 1d 53 53 00 6b"
          + " 0a 47 5e 90";

  private static List<SignalRScan.Scanned> scanAll(ByteBuf framed) {
    List<SignalRScan.Scanned> out = new ArrayList<>();
    LengthPrefixFramer framer = new LengthPrefixFramer(1 << 16);
    framer.feed(
        framed, Unpooled.buffer().alloc(), (b, from, to) -> out.add(MsgPackScan.scan(b, from, to)));
    framer.release();
    return out;
  }

  @Test
  void findsTheContentOfTheChatServersReceiveMessage() {
    ByteBuf b = Unpooled.wrappedBuffer(HexFormat.ofDelimiter(" ").parseHex(RECEIVE_MESSAGE));
    SignalRScan.Scanned s = MsgPackScan.scan(b, 1, b.writerIndex());
    assertThat(s.type()).isEqualTo(SignalRScan.INVOCATION);
    assertThat(s.isReceiveMessage()).isTrue();
    assertThat(b.toString(s.contentAt(), 8, StandardCharsets.UTF_8)).isEqualTo("Hi there");
  }

  @Test
  void readsCompletionsErrorsAndCloses() {
    ByteBuf b = Unpooled.buffer();
    int start = MsgPack.beginFrame(b);
    MsgPack.arrayHeader(b, 5);
    MsgPack.uint(b, 3);
    MsgPack.mapHeader(b, 0);
    MsgPack.str(b, "42");
    MsgPack.uint(b, 3);
    MsgPack.mapHeader(b, 1);
    MsgPack.str(b, "createdAt");
    MsgPack.timestamp(b, Instant.parse("2600-01-01T00:00:00.5Z"));
    MsgPack.endFrame(b, start);
    ByteBuf all = Unpooled.buffer().writeBytes(b);
    // [3, {}, "7", 1, "boom"], [7, "bye", false], a ReceiveMessage with a stamp, a ping
    all.writeBytes(HexFormat.of().parseHex("0b950380a13701a4626f6f6d"));
    all.writeBytes(HexFormat.of().parseHex("079307a3627965c2"));
    ByteBuf r = Unpooled.buffer();
    start = MsgPack.beginFrame(r);
    MsgPack.arrayHeader(r, 6);
    MsgPack.uint(r, 1);
    MsgPack.mapHeader(r, 1);
    MsgPack.str(r, "h");
    MsgPack.str(r, "v");
    MsgPack.nil(r);
    MsgPack.str(r, "ReceiveMessage");
    MsgPack.arrayHeader(r, 1);
    MsgPack.mapHeader(r, 2);
    MsgPack.str(r, "list");
    MsgPack.arrayHeader(r, 2);
    MsgPack.uint(r, 300);
    MsgPack.str(r, "x".repeat(40));
    MsgPack.str(r, "content");
    MsgPack.str(r, Content.encode(3, 9, 12345, 300));
    MsgPack.arrayHeader(r, 0);
    MsgPack.endFrame(r, start);
    all.writeBytes(r);
    all.writeBytes(new byte[] {0x02, (byte) 0x91, 0x06});

    List<SignalRScan.Scanned> s = scanAll(all);
    assertThat(s).hasSize(5);
    assertThat(s.get(0)).isEqualTo(new SignalRScan.Scanned(3, -1, 42, false));
    assertThat(s.get(1)).isEqualTo(new SignalRScan.Scanned(3, -1, 7, true));
    assertThat(s.get(2).type()).isEqualTo(SignalRScan.CLOSE);
    assertThat(s.get(2).error()).isTrue();
    assertThat(s.get(3).isReceiveMessage()).isTrue();
    assertThat(s.get(4).type()).isEqualTo(SignalRScan.PING);
  }

  @Test
  void aMessageSplitAcrossFramesIsKeptUntilComplete() {
    byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(RECEIVE_MESSAGE);
    List<SignalRScan.Scanned> out = new ArrayList<>();
    LengthPrefixFramer framer = new LengthPrefixFramer(1 << 16);
    for (byte x : bytes) {
      framer.feed(
          Unpooled.wrappedBuffer(new byte[] {x}),
          Unpooled.buffer().alloc(),
          (b, from, to) -> out.add(MsgPackScan.scan(b, from, to)));
    }
    framer.release();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).isReceiveMessage()).isTrue();
  }
}
