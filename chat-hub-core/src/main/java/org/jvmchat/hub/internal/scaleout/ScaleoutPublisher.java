package org.jvmchat.hub.internal.scaleout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Payload;
import org.jvmchat.hub.spi.Backplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes on the backplane, counting failures and logging them at most every 10 s. */
final class ScaleoutPublisher {
  private static final Logger log = LoggerFactory.getLogger(ScaleoutHubLifetimeManager.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String hubName;
  private final Backplane backplane;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong failuresAtLastLog = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

  ScaleoutPublisher(String hubName, Backplane backplane) {
    this.hubName = hubName;
    this.backplane = backplane;
  }

  long failures() {
    return failures.get();
  }

  /** Publishes; fails when the backplane cannot (the failure is also counted and logged). */
  CompletableFuture<Long> publish(String channel, byte[] payload) {
    CompletableFuture<Long> published;
    try {
      published = backplane.publish(channel, payload);
    } catch (RuntimeException e) {
      published = CompletableFuture.failedFuture(e);
    }
    return published.whenComplete(
        (n, e) -> {
          if (e != null) {
            failed(channel, e);
          }
        });
  }

  /**
   * Publishes a message that needs no receiver count ({@link Backplane#deliver}: a backplane may
   * keep it across an outage); never fails (a failure is counted and logged).
   */
  CompletableFuture<Void> publishQuietly(String channel, byte[] payload) {
    CompletableFuture<Void> published;
    try {
      published = backplane.deliver(channel, payload);
    } catch (RuntimeException e) {
      published = CompletableFuture.failedFuture(e);
    }
    return published.handle(
        (n, e) -> {
          if (e != null) {
            failed(channel, e);
          }
          return null;
        });
  }

  CompletableFuture<Void> publishQuietly(String channel, Payload payload) {
    return publishQuietly(channel, ScaleoutCodec.encode(payload));
  }

  private void failed(String channel, Throwable error) {
    long total = failures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
      long since = total - failuresAtLastLog.getAndSet(total);
      log.warn(
          "Hub {}: {} backplane publish(es) failed in the last {} s ({} since start); those"
              + " messages reached no other instance (local connections still got theirs)."
              + " Last channel {}: {}",
          hubName,
          since,
          TimeUnit.NANOSECONDS.toSeconds(LOG_INTERVAL_NANOS),
          total,
          channel,
          error.toString());
    }
  }
}
