package org.jvmchat.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Duration INITIAL = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofMillis(1000);

  @Test
  void theDelayDoublesPerRetryWithinEqualJitter() {
    assertThat(Backoff.delay(1, INITIAL, MAX, 0.0)).isEqualTo(Duration.ofMillis(50));
    assertThat(Backoff.delay(1, INITIAL, MAX, 0.999_999)).isBetween(Duration.ofMillis(99), INITIAL);
    assertThat(Backoff.delay(2, INITIAL, MAX, 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(Backoff.delay(3, INITIAL, MAX, 0.0)).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void theDelayIsCappedAtMaxBackoff() {
    assertThat(Backoff.delay(10, INITIAL, MAX, 0.999_999)).isLessThanOrEqualTo(MAX);
    assertThat(Backoff.delay(10, INITIAL, MAX, 0.0)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void retryAfterMillisecondsWinsOverSeconds() {
    assertThat(Backoff.retryAfter("250", "7", Instant.now())).isEqualTo(Duration.ofMillis(250));
    assertThat(Backoff.retryAfter("12.5", null, Instant.now()))
        .isEqualTo(Duration.ofNanos(12_500_000));
  }

  @Test
  void retryAfterSecondsAndHttpDatesAreRead() {
    Instant now = Instant.parse("2026-11-28T03:00:00Z");
    assertThat(Backoff.retryAfter(null, "3", now)).isEqualTo(Duration.ofSeconds(3));
    assertThat(Backoff.retryAfter(null, "Sat, 28 Nov 2026 03:00:20 GMT", now))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(Backoff.retryAfter(null, "Sat, 28 Nov 2026 02:59:00 GMT", now))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void unreadableOrMissingRetryAfterIsIgnored() {
    assertThat(Backoff.retryAfter(null, null, Instant.now())).isNull();
    assertThat(Backoff.retryAfter("soon", "later", Instant.now())).isNull();
    assertThat(Backoff.retryAfter(null, "-4", Instant.now())).isNull();
  }
}
