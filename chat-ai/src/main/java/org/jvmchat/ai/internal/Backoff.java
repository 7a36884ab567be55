package org.jvmchat.ai.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Retry delays: exponential backoff with jitter, and the provider's {@code Retry-After}. */
final class Backoff {

  private Backoff() {}

  /**
   * The delay before retry number {@code retry} (1 for the first retry): {@code initial *
   * 2^(retry-1)} capped at {@code max}, then "equal jitter" (between half and all of it) so that
   * many streams rate-limited together do not come back together.
   *
   * @param random a number in {@code [0, 1)}
   */
  static Duration delay(int retry, Duration initial, Duration max, double random) {
    long base = initial.toNanos();
    for (int i = 1; i < retry && base < max.toNanos(); i++) {
      base *= 2;
    }
    base = Math.min(base, max.toNanos());
    long half = base / 2;
    return Duration.ofNanos(half + (long) (random * (base - half)));
  }

  /**
   * The wait a response asks for: {@code retry-after-ms} (OpenAI, Azure) or {@code Retry-After} in
   * seconds or as an HTTP date; {@code null} when absent or unreadable.
   */
  static Duration retryAfter(String retryAfterMs, String retryAfter, Instant now) {
    if (retryAfterMs != null) {
      try {
        double ms = Double.parseDouble(retryAfterMs.strip());
        if (ms >= 0 && ms < 86_400_000d) {
          return Duration.ofNanos((long) (ms * 1_000_000d));
        }
      } catch (NumberFormatException e) {
        // try Retry-After
      }
    }
    if (retryAfter == null || retryAfter.isBlank()) {
      return null;
    }
    String value = retryAfter.strip();
    try {
      long seconds = Long.parseLong(value);
      return seconds >= 0 ? Duration.ofSeconds(Math.min(seconds, 86_400)) : null;
    } catch (NumberFormatException e) {
      // maybe a date
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
