package org.jvmchat.server.limits;

import java.time.Duration;

/** Token buckets by key, all with one {@link RateLimit}. Thread-safe. */
public interface TokenBuckets {
  /**
   * Takes a token from {@code key}'s bucket.
   *
   * @return {@link Duration#ZERO} when a token was taken, else how long until one will be there
   */
  Duration tryTake(String key);
}
