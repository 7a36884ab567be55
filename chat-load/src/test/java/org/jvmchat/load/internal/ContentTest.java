package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentTest {
  @Test
  void encodeThenParseGivesTheSameStamp() {
    String c = Content.encode(17, 123456, 987654321012L, 100);
    assertThat(c).hasSize(100).startsWith("s17#123456@987654321012|").endsWith("x");
    assertThat(Content.parse(c)).isEqualTo(new Content.Stamp(17, 123456, 987654321012L));
  }

  @Test
  void aShortSizeIsNotPaddedAndNotCut() {
    String c = Content.encode(0, 0, 0, 1);
    assertThat(c).isEqualTo("s0#0@0|");
    assertThat(Content.parse(c)).isEqualTo(new Content.Stamp(0, 0, 0));
  }

  @Test
  void parsesInsideAJsonMessageUpToTheClosingQuote() {
    String json = "{\"content\":\"" + Content.encode(3, 42, 7, 30) + "\",\"kind\":\"user\"}";
    ByteBuf b = Unpooled.copiedBuffer(json, StandardCharsets.US_ASCII);
    int at = json.indexOf("s3#");
    assertThat(Content.parse(b, at, b.writerIndex())).isEqualTo(new Content.Stamp(3, 42, 7));
    // cut right after the last digit of the time still parses
    assertThat(Content.parse(b, at, at + "s3#42@7".length()))
        .isEqualTo(new Content.Stamp(3, 42, 7));
  }

  @Test
  void foreignContentIsNotAStamp() {
    assertThat(Content.parse("hello")).isNull();
    assertThat(Content.parse("s#1@2")).isNull();
    assertThat(Content.parse("s1#@2")).isNull();
    assertThat(Content.parse("s1#2@")).isNull();
    assertThat(Content.parse("s1-2@3")).isNull();
    assertThat(Content.parse("")).isNull();
  }
}
