package org.jvmchat.server.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * In-process token buckets (one instance, or limits meant per instance such as per-IP ones). Full
 * buckets are forgotten once more than {@link #SWEEP_ABOVE} keys are held, so the map stays as
 * small as the set of recently active keys.
 */
public final class LocalTokenBuckets implements TokenBuckets {
  /** Above this many keys, every take first drops buckets that have refilled completely. */
  static final int SWEEP_ABOVE = 10_000;

  private final RateLimit limit;
  private final LongSupplier nanoClock;
  private final double nanosPerToken;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public LocalTokenBuckets(RateLimit limit) {
    this(limit, System::nanoTime);
  }

  LocalTokenBuckets(RateLimit limit, LongSupplier nanoClock) {
    this.limit = limit;
    this.nanoClock = nanoClock;
    this.nanosPerToken = (double) limit.period().toNanos() / limit.count();
  }

  private final class Bucket {
    private double tokens = limit.count();
    private long at = nanoClock.getAsLong();

    synchronized long take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) * nanosPerToken);
    }

    synchronized boolean full(long now) {
      refill(now);
      return tokens >= limit.count();
    }

    private void refill(long now) {
      long elapsed = now - at;
      if (elapsed > 0) {
        tokens = Math.min(limit.count(), tokens + elapsed / nanosPerToken);
        at = now;
      }
    }
  }

  @Override
  public Duration tryTake(String key) {
    long now = nanoClock.getAsLong();
    if (buckets.size() > SWEEP_ABOVE) {
      buckets.values().removeIf(b -> b.full(now));
    }
    return Duration.ofNanos(buckets.computeIfAbsent(key, k -> new Bucket()).take(now));
  }

  int size() {
    return buckets.size();
  }
}
