package org.jvmchat.ai.internal;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber's side of one answer: a bounded buffer of deltas between one producer (the thread
 * reading the HTTP response) and one {@link Flow.Subscriber}, honouring {@code request(n)}.
 *
 * <p>{@link #offer} blocks the producer while the buffer is full, so a slow subscriber slows down
 * reading from the socket instead of growing memory. Signals to the subscriber are serialized by a
 * work-in-progress counter (the usual drain loop): whichever thread calls {@link #offer}, {@link
 * #request}, {@link #complete} or {@link #fail} may deliver them. Errors are delivered at once
 * (buffered deltas are dropped); completion after the buffered deltas.
 */
final class DeltaSubscription implements Flow.Subscription {

  private static final Logger log = LoggerFactory.getLogger(DeltaSubscription.class);
  private static final Object COMPLETE = new Object();

  private final Flow.Subscriber<? super String> downstream;
  private final int capacity;
  private final Semaphore space;
  private final Queue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicReference<Object> terminal = new AtomicReference<>();
  private final Runnable onCancel;

  /** True once the subscriber cancelled or got its terminal signal: nothing more is delivered. */
  private volatile boolean stopped;

  DeltaSubscription(Flow.Subscriber<? super String> downstream, int capacity, Runnable onCancel) {
    this.downstream = Objects.requireNonNull(downstream, "subscriber");
    this.capacity = capacity;
    this.space = new Semaphore(capacity);
    this.onCancel = onCancel;
  }

  /**
   * Adds a delta, waiting up to {@code timeoutNanos} for room.
   *
   * @return false when the delta was not taken: the subscription ended meanwhile or the wait timed
   *     out (the caller's timers will have ended the answer)
   */
  boolean offer(String delta, long timeoutNanos) throws InterruptedException {
    if (isDone()) {
      return false;
    }
    if (!space.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
      return false;
    }
    if (isDone()) {
      return false;
    }
    queue.offer(delta);
    drain();
    return true;
  }

  /** The producer is done: completion follows the buffered deltas. Ignored after a terminal. */
  void complete() {
    if (terminal.compareAndSet(null, COMPLETE)) {
      drain();
    }
  }

  /** The answer failed: delivered at once, buffered deltas dropped. Ignored after a terminal. */
  void fail(Throwable error) {
    if (terminal.compareAndSet(null, error)) {
      space.release(capacity); // wake a producer waiting for room
      drain();
    }
  }

  /** True when no more deltas can be delivered. */
  boolean isDone() {
    return stopped || terminal.get() != null;
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      // Reactive Streams §3.9
      cancelUpstream();
      fail(new IllegalArgumentException("request(n) needs n > 0, was " + n));
      return;
    }
    long current;
    long next;
    do {
      current = requested.get();
      if (current == Long.MAX_VALUE) {
        break;
      }
      next = current + n;
      if (next < 0) {
        next = Long.MAX_VALUE;
      }
    } while (!requested.compareAndSet(current, next));
    drain();
  }

  @Override
  public void cancel() {
    if (stopped) {
      return;
    }
    stopped = true;
    space.release(capacity);
    cancelUpstream();
    if (wip.getAndIncrement() == 0) {
      queue.clear();
    }
  }

  private void cancelUpstream() {
    try {
      onCancel.run();
    } catch (RuntimeException e) {
      log.warn("cancelling the answer's HTTP stream failed", e);
    }
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      long wanted = requested.get();
      long emitted = 0;
      while (true) {
        if (stopped) {
          queue.clear();
          break;
        }
        Object end = terminal.get();
        if (end instanceof Throwable) {
          stopped = true;
          queue.clear();
          signalError((Throwable) end);
          break;
        }
        if (emitted == wanted) {
          if (end == COMPLETE && queue.isEmpty()) {
            stopped = true;
            signalComplete();
          }
          break;
        }
        String delta = queue.poll();
        if (delta == null) {
          if (end == COMPLETE) {
            stopped = true;
            signalComplete();
          }
          break;
        }
        space.release();
        emitted++;
        try {
          downstream.onNext(delta);
        } catch (Throwable t) {
          // Reactive Streams §2.13: the subscriber broke its contract; stop the answer.
          log.warn("subscriber threw from onNext; cancelling the answer", t);
          cancel();
          break;
        }
      }
      if (emitted != 0 && wanted != Long.MAX_VALUE) {
        requested.addAndGet(-emitted);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void signalError(Throwable error) {
    try {
      downstream.onError(error);
    } catch (Throwable t) {
      log.warn("subscriber threw from onError", t);
    }
  }

  private void signalComplete() {
    try {
      downstream.onComplete();
    } catch (Throwable t) {
      log.warn("subscriber threw from onComplete", t);
    }
  }
}
