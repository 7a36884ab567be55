package org.jvmchat.client;

import java.time.Duration;
import java.util.List;

/**
 * Decides whether and when an automatically reconnecting connection makes its next attempt. Every
 * attempt is a new connection: negotiate, transport, handshake, new connection id.
 */
@FunctionalInterface
public interface RetryPolicy {

  /** The delays of the official clients: 0, 2, 10 and 30 seconds, then give up. */
  List<Duration> DEFAULT_DELAYS =
      List.of(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(30));

  /**
   * The delay before the next attempt, or {@code null} to stop reconnecting (the connection then
   * closes with the last error). Called on the connection's scheduler thread: do not block.
   */
  Duration nextRetryDelay(RetryContext context);

  /** Waits {@code delays[i]} before attempt {@code i}, and gives up after the last one. */
  static RetryPolicy fixedDelays(List<Duration> delays) {
    List<Duration> copy = List.copyOf(delays);
    for (Duration d : copy) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("Retry delays must not be negative: " + d);
      }
    }
    return context ->
        context.previousRetryCount() < copy.size()
            ? copy.get((int) context.previousRetryCount())
            : null;
  }

  /** {@link #fixedDelays} with {@link #DEFAULT_DELAYS}. */
  static RetryPolicy defaultPolicy() {
    return fixedDelays(DEFAULT_DELAYS);
  }
}
