package org.jvmchat.load.ceiling;

import java.time.Duration;

/**
 * The ceiling's keep-alive and client timeout, the chat server's defaults (SignalR's): a ping to a
 * connection nothing was written to for {@code keepAlive}, a close of one nothing was read from for
 * {@code clientTimeout}, both checked every {@code sweepPeriod} by one task per event loop (so each
 * fires up to one period late).
 */
record Timeouts(Duration keepAlive, Duration clientTimeout, Duration sweepPeriod) {
  static final Timeouts DEFAULT =
      new Timeouts(Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(1));

  Timeouts {
    if (sweepPeriod.isNegative() || sweepPeriod.isZero()) {
      throw new IllegalArgumentException("sweepPeriod must be positive: " + sweepPeriod);
    }
  }
}
