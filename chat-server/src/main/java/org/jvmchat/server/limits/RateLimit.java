package org.jvmchat.server.limits;

import java.time.Duration;
import org.jvmchat.persistence.settings.SettingValues;
import org.jvmchat.server.config.SettingsException;

/**
 * A token-bucket limit written {@code COUNT/DURATION} ({@code 20/10s}, {@code 5/1m}): a bucket of
 * {@code count} tokens refilled evenly over {@code period}, so bursts of up to {@code count} pass
 * and the sustained rate is {@code count} per {@code period}.
 */
public record RateLimit(int count, Duration period) {
  public RateLimit {
    if (count <= 0 || period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("a rate limit needs a positive count and period");
    }
  }

  /**
   * Parses {@code COUNT/DURATION}; null for null, blank, {@code 0} or {@code unlimited}.
   *
   * @throws SettingsException naming {@code name} for anything else
   */
  public static RateLimit parse(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip();
    if (v.equals("0") || v.equalsIgnoreCase("unlimited")) {
      return null;
    }
    int slash = v.indexOf('/');
    String expected =
        name + " must be COUNT/DURATION like 20/10s (or unlimited), was '" + value + "'";
    if (slash <= 0 || slash == v.length() - 1) {
      throw new SettingsException(expected);
    }
    int count;
    Duration period;
    try {
      count = Integer.parseInt(v.substring(0, slash).strip());
      period = SettingValues.duration(name, v.substring(slash + 1).strip());
    } catch (RuntimeException e) {
      throw new SettingsException(expected);
    }
    if (count <= 0 || period.toMillis() <= 0) {
      throw new SettingsException(expected + " (both must be positive)");
    }
    return new RateLimit(count, period);
  }

  /** {@code 20/10s}, as the setting is written. */
  @Override
  public String toString() {
    long ms = period.toMillis();
    String p =
        ms % 3_600_000 == 0
            ? ms / 3_600_000 + "h"
            : ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    return count + "/" + p;
  }
}
