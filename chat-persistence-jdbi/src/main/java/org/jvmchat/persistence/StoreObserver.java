package org.jvmchat.persistence;

import java.time.Duration;

/**
 * Hears what the store does, for metrics: set with {@link ChatStore#observe(StoreObserver)}. Every
 * method defaults to nothing, is called on the store's writer threads, and must not block.
 */
public interface StoreObserver {
  /**
   * One group-commit batch of message appends was written: {@code items} messages in one
   * transaction that took {@code duration} (statements plus the durable commit).
   *
   * @param failed true when the transaction failed (nothing of it was stored)
   */
  default void appendBatchCommitted(int items, Duration duration, boolean failed) {}

  /**
   * The store's connection pool, for binding pool metrics: a HikariCP {@code HikariDataSource}
   * hands it a Micrometer {@code MeterRegistry} with {@code setMetricRegistry}. Return the registry
   * (a {@code io.micrometer.core.instrument.MeterRegistry}), or null for none.
   */
  default Object poolMeterRegistry() {
    return null;
  }
}
