package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignalRScanTest {
  private static SignalRScan.Scanned scan(String s) {
    ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    return SignalRScan.scan(b, 0, b.writerIndex());
  }

  @Test
  void receiveMessageGivesWhereTheContentStarts() {
    String msg =
        "{\"type\":1,\"target\":\"ReceiveMessage\",\"arguments\":[{\"id\":\"9\",\"roomId\":\"r\","
            + "\"senderId\":\"u1\",\"senderName\":\"u1\",\"content\":\"s2#5@77|xx\",\"kind\":\"user\","
            + "\"createdAt\":\"2026-01-01T00:00:00Z\"}]}";
    SignalRScan.Scanned s = scan(msg);
    assertThat(s.type()).isEqualTo(SignalRScan.INVOCATION);
    assertThat(s.isReceiveMessage()).isTrue();
    assertThat(s.contentAt()).isEqualTo(msg.indexOf("s2#5"));
    ByteBuf b = Unpooled.copiedBuffer(msg, StandardCharsets.UTF_8);
    assertThat(Content.parse(b, s.contentAt(), b.writerIndex()))
        .isEqualTo(new Content.Stamp(2, 5, 77));
  }

  @Test
  void fieldOrderDoesNotMatter() {
    SignalRScan.Scanned s =
        scan(
            "{\"arguments\":[{\"content\":\"s0#1@2\"}],\"target\":\"ReceiveMessage\",\"type\": 1}");
    assertThat(s.type()).isEqualTo(1);
    assertThat(s.isReceiveMessage()).isTrue();
  }

  @Test
  void otherInvocationsAreNotReceiveMessage() {
    SignalRScan.Scanned s =
        scan(
            "{\"type\":1,\"target\":\"UserJoined\",\"arguments\":[{\"roomId\":\"r\",\"userId\":\"u\"}]}");
    assertThat(s.type()).isEqualTo(1);
    assertThat(s.isReceiveMessage()).isFalse();
  }

  @Test
  void completionsCarryTheirIdAndErrorFlag() {
    SignalRScan.Scanned ok =
        scan("{\"type\":3,\"invocationId\":\"712\",\"result\":{\"id\":\"x\"}}");
    assertThat(ok.type()).isEqualTo(SignalRScan.COMPLETION);
    assertThat(ok.invocationId()).isEqualTo(712);
    assertThat(ok.error()).isFalse();
    SignalRScan.Scanned err =
        scan("{\"type\":3,\"invocationId\":\"8\",\"error\":\"Room not found.\"}");
    assertThat(err.invocationId()).isEqualTo(8);
    assertThat(err.error()).isTrue();
  }

  @Test
  void pingAndClose() {
    assertThat(scan("{\"type\":6}").type()).isEqualTo(SignalRScan.PING);
    SignalRScan.Scanned close = scan("{\"type\":7,\"error\":\"bye\"}");
    assertThat(close.type()).isEqualTo(SignalRScan.CLOSE);
    assertThat(close.error()).isTrue();
  }
}
