package org.jvmchat.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timers of one session on the connection's scheduler thread, cancelled together when the
 * session ends. Scheduling after the run's resources were released is a no-op.
 */
final class SessionTimers {
  private final ScheduledExecutorService scheduler;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private boolean cancelled;

  SessionTimers(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  void once(Runnable task, long delayMillis) {
    try {
      track(scheduler.schedule(task, Math.max(0, delayMillis), TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException e) {
      // the connection's resources were released: nothing left to time
    }
  }

  void repeat(Runnable task, long periodMillis) {
    try {
      track(
          scheduler.scheduleWithFixedDelay(
              task, periodMillis, periodMillis, TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException e) {
      // released, as above
    }
  }

  private synchronized void track(ScheduledFuture<?> f) {
    if (cancelled) {
      f.cancel(false);
      return;
    }
    timers.removeIf(ScheduledFuture::isDone);
    timers.add(f);
  }

  synchronized void cancelAll() {
    cancelled = true;
    for (ScheduledFuture<?> f : timers) {
      f.cancel(false);
    }
    timers.clear();
  }
}
