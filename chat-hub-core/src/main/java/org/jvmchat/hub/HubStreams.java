package org.jvmchat.hub;

import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/** Small helpers to produce server-to-client streams without blocking a thread per stream. */
public final class HubStreams {
  private HubStreams() {}

  /**
   * A publisher of {@code count} items, {@code item(i)} for i in 0..count-1, one every {@code
   * interval} on {@code scheduler}; it honours demand and stops producing as soon as the subscriber
   * cancels (a client's CancelInvocation).
   */
  public static <T> Flow.Publisher<T> interval(
      int count, Duration interval, ScheduledExecutorService scheduler, IntFunction<T> item) {
    return subscriber -> {
      AtomicLong demand = new AtomicLong();
      AtomicBoolean done = new AtomicBoolean();
      int[] next = {0};
      ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
      Runnable tick =
          new Runnable() {
            @Override
            public void run() {
              if (done.get()) {
                return;
              }
              if (next[0] >= count) {
                if (done.compareAndSet(false, true)) {
                  subscriber.onComplete();
                }
                return;
              }
              if (demand.get() > 0) {
                demand.decrementAndGet();
                subscriber.onNext(item.apply(next[0]++));
              }
              if (next[0] >= count) {
                if (done.compareAndSet(false, true)) {
                  subscriber.onComplete();
                }
                return;
              }
              task[0] =
                  scheduler.schedule(this, Math.max(0, interval.toNanos()), TimeUnit.NANOSECONDS);
            }
          };
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              if (n <= 0) {
                if (done.compareAndSet(false, true)) {
                  subscriber.onError(new IllegalArgumentException("request must be positive"));
                }
                return;
              }
              demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            }

            @Override
            public void cancel() {
              done.set(true);
              ScheduledFuture<?> t = task[0];
              if (t != null) {
                t.cancel(false);
              }
            }
          });
      task[0] = scheduler.schedule(tick, 0, TimeUnit.NANOSECONDS);
    };
  }
}
