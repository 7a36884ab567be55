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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Group commands sent by this instance, awaiting acknowledgements, by id: one (the holder of the
 * connection) unless {@link #expect} says how many instances received the command.
 */
final class GroupAcks {
  private static final class Pending {
    final CompletableFuture<Void> future = new CompletableFuture<>();
    final AtomicInteger acks = new AtomicInteger();
    volatile long expected = 1;
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
    return await(id, 1, timeout, timeoutError, closedError);
  }

  /**
   * Awaits the acks of a command whose number of receivers is not known yet: it completes once
   * {@link #expect} said how many and that many arrived (acks may arrive before that).
   */
  CompletableFuture<Void> awaitCounted(
      long id,
      Duration timeout,
      Supplier<? extends Throwable> timeoutError,
      Supplier<? extends Throwable> closedError) {
    return await(id, Long.MAX_VALUE, timeout, timeoutError, closedError);
  }

  private CompletableFuture<Void> await(
      long id,
      long expected,
      Duration timeout,
      Supplier<? extends Throwable> timeoutError,
      Supplier<? extends Throwable> closedError) {
    Pending p = new Pending();
    p.expected = expected;
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

  /** One acknowledgement of command {@code id}; completes it once all expected have arrived. */
  void ack(long id) {
    Pending p = pending.get(id);
    if (p != null && p.acks.incrementAndGet() >= p.expected) {
      complete(id);
    }
  }

  /**
   * Command {@code id} reached {@code receivers} instances: that many acknowledgements complete it.
   */
  void expect(long id, long receivers) {
    Pending p = pending.get(id);
    if (p != null) {
      p.expected = receivers;
      if (p.acks.get() >= receivers) {
        complete(id);
      }
    }
  }

  /** Completes command {@code id} now, whatever has been acknowledged. */
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
