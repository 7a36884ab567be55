package org.jvmchat.client.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor (a "lane"). A task that
 * throws is logged and does not stop the lane. If the delegate rejects work (it was shut down), the
 * remaining tasks run on the submitting thread, so no future is left pending. Unbounded: producers
 * are the connection's own message flow, which the transport already bounds.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private final Executor delegate;
  private final String name;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  SerialExecutor(Executor delegate, String name) {
    this.delegate = delegate;
    this.name = name;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (tasks) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    schedule();
  }

  private void schedule() {
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The executor is shut down (the connection's own pool after the run ended, or the
      // application's): run what is left on this thread rather than leave futures pending.
      log.debug("{}: executor rejected the lane; running queued callbacks inline", name);
      drain();
    }
  }

  private void drain() {
    // Run a bounded batch, then yield the thread so other lanes sharing the executor progress.
    for (int i = 0; i < 64; i++) {
      Runnable next;
      synchronized (tasks) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (Throwable t) {
        log.warn("{}: callback failed", name, t);
      }
    }
    synchronized (tasks) {
      if (tasks.isEmpty()) {
        running = false;
        return;
      }
    }
    schedule();
  }
}
