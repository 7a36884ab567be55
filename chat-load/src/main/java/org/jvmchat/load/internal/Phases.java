package org.jvmchat.load.internal;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** Waiting helpers for the main thread of a run. */
public final class Phases {
  private Phases() {}

  /** Sleeps until {@link Clock#now()} reaches {@code t}. */
  public static void sleepUntil(long t) throws InterruptedException {
    long left;
    while ((left = t - Clock.now()) > 0) {
      Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
    }
  }

  /** Polls {@code done} every 20 ms until it holds or {@code deadline}; returns whether it held. */
  public static boolean await(BooleanSupplier done, long deadline) throws InterruptedException {
    while (!done.getAsBoolean()) {
      if (Clock.now() >= deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** The server's CPU at the start and the end of the measured window (null without a pid). */
  public record Window(ProcStats.Sample cpuStart, ProcStats.Sample cpuEnd) {}

  /**
   * The load phase shared by the sending scenarios: starts every sender with {@code rate} (0 = as
   * fast as its window allows) at {@code start}, samples the server's CPU at {@code windowStart}
   * and {@code windowEnd} (when the senders stop), then waits up to {@code drainNanos} until every
   * sender has finished with nothing outstanding and {@code arrived} has reached {@code
   * arrivalsPerSend} for each message sent.
   */
  public static Window runSenders(
      List<Sender> senders,
      double rate,
      long start,
      long windowStart,
      long windowEnd,
      List<Long> pids,
      long drainNanos,
      LongSupplier arrived,
      long arrivalsPerSend)
      throws InterruptedException {
    for (Sender s : senders) {
      s.start(new Pacer(start, rate, windowEnd));
    }
    sleepUntil(windowStart);
    ProcStats.Sample cpuStart = ProcStats.sample(pids);
    sleepUntil(windowEnd);
    ProcStats.Sample cpuEnd = ProcStats.sample(pids);
    await(
        () -> {
          long sent = 0;
          for (Sender s : senders) {
            if (!s.finished() || s.outstanding() > 0) {
              return false;
            }
            sent += s.sent();
          }
          return arrived.getAsLong() >= sent * arrivalsPerSend;
        },
        Clock.now() + drainNanos);
    return new Window(cpuStart, cpuEnd);
  }

  public static long seconds(double s) {
    return (long) (s * 1e9);
  }
}
