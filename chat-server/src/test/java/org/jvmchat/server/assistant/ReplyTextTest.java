package org.jvmchat.server.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatLimits;

class ReplyTextTest {
  @Test
  void deltasPassThroughUnchanged() {
    ReplyText t = new ReplyText();
    assertThat(t.accept("Hello, ")).isEqualTo("Hello, ");
    assertThat(t.accept("wörld 😀")).isEqualTo("wörld 😀");
    assertThat(t.finish()).isEmpty();
    assertThat(t.text()).isEqualTo("Hello, wörld 😀");
    assertThat(t.length()).isEqualTo(14);
  }

  @Test
  void aSurrogatePairSplitAcrossDeltasIsKeptAndNulAndLoneSurrogatesAreReplaced() {
    ReplyText t = new ReplyText();
    String smile = "😀";
    StringBuilder sent = new StringBuilder();
    sent.append(t.accept("a" + smile.charAt(0)));
    sent.append(t.accept(smile.charAt(1) + "b\0c\uDC00"));
    sent.append(t.accept("\uD83D"));
    sent.append(t.finish());
    assertThat(sent.toString()).isEqualTo("a😀b\uFFFDc\uFFFD\uFFFD").isEqualTo(t.text());
    assertThat(ChatLimits.requireContent(t.text())).isEqualTo(t.text());
  }

  @Test
  void aReplyStopsAtTheLimitWithAMarkAndTheChunksStillAddUpToTheText() {
    ReplyText t = new ReplyText(100);
    StringBuilder sent = new StringBuilder();
    for (int i = 0; i < 30 && !t.full(); i++) {
      sent.append(t.accept("word "));
    }
    assertThat(t.full()).isTrue();
    assertThat(t.accept("more")).isEmpty();
    sent.append(t.finish());
    assertThat(sent.toString()).isEqualTo(t.text()).endsWith(ReplyText.CUT_OFF);
    assertThat(t.text().codePointCount(0, t.text().length())).isEqualTo(100);
  }

  @Test
  void theDefaultLimitIsTheStoresContentLimit() {
    ReplyText t = new ReplyText();
    t.accept("x".repeat(ChatLimits.CONTENT_MAX_LENGTH + 10));
    assertThat(t.full()).isTrue();
    assertThat(ChatLimits.requireContent(t.text())).hasSize(ChatLimits.CONTENT_MAX_LENGTH);
  }
}
