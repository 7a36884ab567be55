package org.jvmchat.load.internal;

/**
 * When a sender's next message is due and which time its content carries. At a fixed rate message
 * {@code seq} is due at {@code start + seq / rate} and carries that intended time even when it goes
 * out late (a full window, a busy event loop): the delay counts as latency, which corrects for
 * coordinated omission. At max rate ({@code rate <= 0}) a message is always due and carries the
 * actual send time.
 */
public final class Pacer {
  private final long start;
  private final double intervalNanos;
  private final long end;

  /**
   * @param start first intended send time ({@link Clock} nanoseconds)
   * @param rate messages per second; {@code <= 0} for max rate
   * @param end no message is due at or after this time
   */
  public Pacer(long start, double rate, long end) {
    this.start = start;
    this.intervalNanos = rate > 0 ? 1e9 / rate : 0;
    this.end = end;
  }

  public boolean fixedRate() {
    return intervalNanos > 0;
  }

  /** The intended send time of message {@code seq} (at max rate: {@code start}). */
  public long intended(long seq) {
    return start + (long) (seq * intervalNanos);
  }

  /** Whether message {@code seq} may go out at {@code now}. */
  public boolean due(long seq, long now) {
    if (now >= end) {
      return false;
    }
    if (!fixedRate()) {
      return true;
    }
    long t = intended(seq);
    return t <= now && t < end;
  }

  /** Whether no message will ever be due again after {@code seq - 1} was sent. */
  public boolean finished(long seq, long now) {
    return now >= end || (fixedRate() && intended(seq) >= end);
  }

  /** The time the content of message {@code seq} carries when it is sent at {@code now}. */
  public long stamp(long seq, long now) {
    return fixedRate() ? intended(seq) : now;
  }
}
