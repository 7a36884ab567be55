package org.jvmchat.server.assistant;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A sliding-window limit per user: at most {@code limit} requests in any {@code window}. Memory is
 * bounded by the users who asked within the last window (at most {@code limit} timestamps each);
 * users whose requests all expired are dropped. Also the room-creation limit of the REST API.
 */
public final class RateLimiter {
  private final int limit;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final Map<String, ArrayDeque<Long>> byUser = new ConcurrentHashMap<>();

  public RateLimiter(int limit, Duration window, LongSupplier nanoTime) {
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Counts a request of {@code userId} when the limit allows it.
   *
   * @return {@link Duration#ZERO} when allowed (and counted), otherwise how long until the next
   *     request will be allowed (nothing counted)
   */
  public Duration tryAcquire(String userId) {
    long now = nanoTime.getAsLong();
    Duration[] wait = {Duration.ZERO};
    byUser.compute(
        userId,
        (u, times) -> {
          ArrayDeque<Long> q = times == null ? new ArrayDeque<>() : times;
          while (!q.isEmpty() && now - q.peekFirst() >= windowNanos) {
            q.pollFirst();
          }
          if (q.size() >= limit) {
            wait[0] = Duration.ofNanos(windowNanos - (now - q.peekFirst()));
          } else {
            q.addLast(now);
          }
          return q;
        });
    if (byUser.size() > 10_000) {
      sweep(now);
    }
    return wait[0];
  }

  /** Drops users whose requests are all older than the window. */
  private void sweep(long now) {
    byUser
        .keySet()
        .forEach(
            user ->
                byUser.computeIfPresent(
                    user,
                    (u, q) -> {
                      while (!q.isEmpty() && now - q.peekFirst() >= windowNanos) {
                        q.pollFirst();
                      }
                      return q.isEmpty() ? null : q;
                    }));
  }
}
