package org.jvmchat.server.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterAndMentionTest {
  @Test
  void aUserGetsLimitRequestsPerWindowAndIsToldHowLongToWait() {
    AtomicLong now = new AtomicLong(1_000);
    RateLimiter limiter = new RateLimiter(2, Duration.ofSeconds(60), now::get);
    assertThat(limiter.tryAcquire("alice")).isZero();
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(limiter.tryAcquire("alice")).isZero();
    assertThat(limiter.tryAcquire("alice")).isEqualTo(Duration.ofSeconds(50));
    assertThat(limiter.tryAcquire("bob")).isZero();
    now.addAndGet(Duration.ofSeconds(50).toNanos());
    assertThat(limiter.tryAcquire("alice")).isZero(); // the first request left the window
    assertThat(limiter.tryAcquire("alice")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void gptIsAMentionAsAWordInAnyCase() {
    for (String yes :
        new String[] {
          "@gpt", "hey @gpt, what?", "@GPT?", "(@Gpt)", "line\n@gpt", "ask @gpt.", "@gpt: hi"
        }) {
      assertThat(AssistantService.mentionsAssistant(yes)).as(yes).isTrue();
    }
    for (String no :
        new String[] {
          "gpt", "@gpt4", "@gpt_bot", "me@gpt.example", "@@gpt", "@gptx", "x@gpt", "", "@ gpt"
        }) {
      assertThat(AssistantService.mentionsAssistant(no)).as(no).isFalse();
    }
    assertThat(AssistantService.mentionsAssistant(null)).isFalse();
  }
}
