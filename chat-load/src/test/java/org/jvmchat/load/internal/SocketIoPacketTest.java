package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.jvmchat.load.internal.SocketIoPacket.Type;

class SocketIoPacketTest {
  private static ByteBuf buf(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void engineIoOpenPingPong() {
    SocketIoPacket open = SocketIoPacket.parse(buf("0{\"sid\":\"abc\",\"pingInterval\":25000}"));
    assertThat(open.type()).isEqualTo(Type.OPEN);
    assertThat(open.dataAt()).isEqualTo(1);
    assertThat(SocketIoPacket.parse(buf("2")).type()).isEqualTo(Type.PING);
    assertThat(SocketIoPacket.parse(buf("3")).type()).isEqualTo(Type.PONG);
    assertThat(SocketIoPacket.parse(buf("1")).type()).isEqualTo(Type.CLOSE);
  }

  @Test
  void socketIoConnectAndErrors() {
    assertThat(SocketIoPacket.parse(buf("40{\"sid\":\"x\"}")).type()).isEqualTo(Type.CONNECT);
    assertThat(SocketIoPacket.parse(buf("44{\"message\":\"no\"}")).type())
        .isEqualTo(Type.CONNECT_ERROR);
    assertThat(SocketIoPacket.parse(buf("41")).type()).isEqualTo(Type.DISCONNECT);
  }

  @Test
  void messageEventFindsTheContent() {
    String s =
        "42[\"message\",{\"id\":\"1\",\"roomId\":\"r\",\"senderId\":\"u0\",\"senderName\":\"u0\","
            + "\"content\":\"s4#9@123|xx\",\"kind\":\"user\",\"createdAt\":\"2026-01-01T00:00:00.000Z\"}]";
    ByteBuf b = buf(s);
    SocketIoPacket p = SocketIoPacket.parse(b);
    assertThat(p.type()).isEqualTo(Type.EVENT);
    assertThat(p.ackId()).isEqualTo(-1);
    assertThat(p.dataAt()).isEqualTo(2);
    assertThat(Content.parse(b, p.contentAt(), b.writerIndex()))
        .isEqualTo(new Content.Stamp(4, 9, 123));
  }

  @Test
  void otherEventsHaveNoContent() {
    SocketIoPacket p = SocketIoPacket.parse(buf("42[\"typing\",{\"content\":\"s1#1@1\"}]"));
    assertThat(p.type()).isEqualTo(Type.EVENT);
    assertThat(p.contentAt()).isEqualTo(-1);
  }

  @Test
  void ackCarriesItsId() {
    SocketIoPacket p = SocketIoPacket.parse(buf("43127[{\"ok\":true}]"));
    assertThat(p.type()).isEqualTo(Type.ACK);
    assertThat(p.ackId()).isEqualTo(127);
    assertThat(p.dataAt()).isEqualTo(5);
    SocketIoPacket withId = SocketIoPacket.parse(buf("4212[\"message\",{}]"));
    assertThat(withId.type()).isEqualTo(Type.EVENT);
    assertThat(withId.ackId()).isEqualTo(12);
  }
}
