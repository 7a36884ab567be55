package org.jvmchat.server.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Connections per user on this instance only (no Redis). */
public final class LocalConnectionCounts implements UserConnectionCounts {
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();

  @Override
  public int count(String userId) {
    return counts.getOrDefault(userId, 0);
  }

  @Override
  public int reserve(String userId, int max) {
    return reserve(userId, max, 0);
  }

  /** {@link #reserve(String, int)} with {@code elsewhere} more counted on other instances. */
  int reserve(String userId, int max, int elsewhere) {
    int[] refused = {-1};
    counts.compute(
        userId,
        (u, n) -> {
          int here = n == null ? 0 : n;
          if (here + elsewhere >= max) {
            refused[0] = here + elsewhere;
            return n;
          }
          return here + 1;
        });
    return refused[0];
  }

  @Override
  public void connected(String userId) {
    counts.merge(userId, 1, Integer::sum);
  }

  @Override
  public void disconnected(String userId) {
    counts.computeIfPresent(userId, (u, n) -> n <= 1 ? null : n - 1);
  }

  /** A snapshot of every user's count. */
  Map<String, Integer> snapshot() {
    return Map.copyOf(counts);
  }
}
