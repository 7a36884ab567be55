package org.jvmchat.hub.internal.scaleout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Group commands sent by this instance, awaiting the holder's acknowledgement, by id. */
final class GroupAcks {
  private static final class Pending {
    final CompletableFuture<Void> future = new CompletableFuture<>();
    volatile ScheduledFuture<?> timer;

    void cancelTimer() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  private final ScheduledExecutorService scheduler;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  GroupAcks(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  /**
   * Awaits the ack of command {@code id}; fails with {@code timeoutError} after {@code timeout}, or
   * at once with {@code closedError} when the scheduler no longer runs.
   */
  CompletableFuture<Void> await(
      long id,
      Duration timeout,
      Supplier<? extends Throwable> timeoutError,
      Supplier<? extends Throwable> closedError) {
    Pending p = new Pending();
    pending.put(id, p); // before the timer exists, so that a timer firing finds it
    try {
      p.timer =
          scheduler.schedule(
              () -> fail(id, timeoutError.get()), timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      pending.remove(id);
      return CompletableFuture.failedFuture(closedError.get());
    }
    return p.future;
  }

  void complete(long id) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.cancelTimer();
      p.future.complete(null);
    }
  }

  void fail(long id, Throwable error) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.cancelTimer();
      p.future.completeExceptionally(error);
    }
  }

  void failAll(Throwable error) {
    for (Long id : new ArrayList<>(pending.keySet())) {
      fail(id, error);
    }
  }
}
