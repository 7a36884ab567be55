package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordSeparatorFramerTest {
  private final List<String> got = new ArrayList<>();
  private final RecordSeparatorFramer framer = new RecordSeparatorFramer(1000);

  private void feed(String s) {
    ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    framer.feed(
        b,
        ByteBufAllocator.DEFAULT,
        (buf, from, to) -> got.add(buf.toString(from, to - from, StandardCharsets.UTF_8)));
    b.release();
  }

  @Test
  void severalMessagesInOneFrame() {
    feed("{}\u001e{\"type\":6}\u001e{\"type\":1}\u001e");
    assertThat(got).containsExactly("{}", "{\"type\":6}", "{\"type\":1}");
    assertThat(framer.pendingBytes()).isZero();
  }

  @Test
  void oneMessageAcrossFramesIsJoinedAtTheSeparator() {
    feed("{\"type\":1,\"tar");
    assertThat(got).isEmpty();
    feed("get\":\"ReceiveMessage\"");
    assertThat(got).isEmpty();
    feed("}\u001e{\"type\":6}\u001e{\"ty");
    assertThat(got).containsExactly("{\"type\":1,\"target\":\"ReceiveMessage\"}", "{\"type\":6}");
    assertThat(framer.pendingBytes()).isEqualTo(4);
    feed("pe\":3}\u001e");
    assertThat(got).last().isEqualTo("{\"type\":3}");
    assertThat(framer.pendingBytes()).isZero();
    framer.release();
  }

  @Test
  void aSeparatorAloneAtTheStartOfTheNextFrameEndsThePendingMessage() {
    feed("{\"type\":6}");
    feed("\u001e");
    assertThat(got).containsExactly("{\"type\":6}");
  }

  @Test
  void anOverlongPartialMessageIsRefused() {
    assertThatThrownBy(() -> feed("x".repeat(1001))).isInstanceOf(IllegalStateException.class);
    framer.release();
  }
}
