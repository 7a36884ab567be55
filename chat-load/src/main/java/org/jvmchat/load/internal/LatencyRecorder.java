package org.jvmchat.load.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;

/**
 * Latencies in nanoseconds, HdrHistogram with 3 significant digits, one histogram per recording
 * thread (the driver's event loops) merged at the end. A latency is recorded only when its start
 * (the intended send time at a fixed rate: coordinated-omission correction; the actual send time
 * otherwise) is inside the measured window.
 */
public final class LatencyRecorder {
  private final List<Histogram> all = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Histogram> mine =
      ThreadLocal.withInitial(
          () -> {
            Histogram h = new Histogram(3);
            all.add(h);
            return h;
          });
  private volatile long windowStart = Long.MAX_VALUE;
  private volatile long windowEnd = Long.MIN_VALUE;

  /** Sets the measured window, in {@link Clock} nanoseconds, {@code [start, end)}. */
  public void window(long start, long end) {
    this.windowStart = start;
    this.windowEnd = end;
  }

  public boolean inWindow(long t) {
    return t >= windowStart && t < windowEnd;
  }

  /** Records {@code end - start} when {@code start} is in the window; returns whether it did. */
  public boolean record(long start, long end) {
    if (!inWindow(start)) {
      return false;
    }
    Histogram h = mine.get();
    synchronized (h) {
      h.recordValue(Math.max(0, end - start));
    }
    return true;
  }

  /** A merged copy of everything recorded so far. */
  public Histogram merged() {
    Histogram out = new Histogram(3);
    for (Histogram h : all) {
      synchronized (h) {
        out.add(h);
      }
    }
    return out;
  }

  /** Percentile in milliseconds, null when nothing was recorded. */
  public static Double percentileMs(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      return null;
    }
    return h.getValueAtPercentile(percentile) / 1e6;
  }

  public static Double maxMs(Histogram h) {
    return h.getTotalCount() == 0 ? null : h.getMaxValue() / 1e6;
  }
}
