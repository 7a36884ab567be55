package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;

/**
 * One subscription to a server-to-client stream. Items are queued (at most {@code capacity} beyond
 * demand; more cancels the stream with an error) and delivered on the result lane, so subscriber
 * calls never overlap and never run on the socket reader.
 */
final class StreamCall implements PendingCall, Flow.Subscription {
  interface Canceller {
    void cancel(String invocationId);
  }

  private final String invocationId;
  private final Type itemType;
  private final Flow.Subscriber<Object> subscriber;
  private final Executor resultLane;
  private final int capacity;
  private final Canceller canceller;
  private final ArrayDeque<Object> items = new ArrayDeque<>();
  private long demand;
  private boolean completed;
  private Throwable error;
  private boolean terminated;
  private boolean cancelled;

  StreamCall(
      String invocationId,
      Type itemType,
      Flow.Subscriber<Object> subscriber,
      Executor resultLane,
      int capacity,
      Canceller canceller) {
    this.invocationId = invocationId;
    this.itemType = itemType;
    this.subscriber = subscriber;
    this.resultLane = resultLane;
    this.capacity = capacity;
    this.canceller = canceller;
  }

  @Override
  public Type type() {
    return itemType;
  }

  @Override
  public void item(Object item) {
    boolean overflow = false;
    synchronized (this) {
      if (cancelled || completed) {
        return;
      }
      if (items.size() >= capacity) {
        overflow = true;
        cancelled = true;
        completed = true;
        items.clear();
        error =
            new IllegalStateException(
                "The subscriber fell more than "
                    + capacity
                    + " items behind; the stream was cancelled.");
      } else {
        items.add(item == null ? NULL : item);
      }
    }
    if (overflow) {
      canceller.cancel(invocationId);
    }
    drainLater();
  }

  @Override
  public void complete(CompletionMessage completion) {
    synchronized (this) {
      if (completed) {
        return;
      }
      completed = true;
      if (completion.error() != null) {
        error = new HubException(completion.error());
      }
    }
    drainLater();
  }

  @Override
  public void fail(Throwable failure) {
    synchronized (this) {
      if (completed) {
        return;
      }
      completed = true;
      error = failure;
    }
    drainLater();
  }

  @Override
  public void request(long n) {
    synchronized (this) {
      if (n <= 0) {
        if (!completed) {
          completed = true;
          cancelled = true;
          items.clear();
          error = new IllegalArgumentException("request(n) needs n > 0 (rule 3.9), was " + n);
        }
      } else {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
    }
    drainLater();
  }

  @Override
  public void cancel() {
    boolean send;
    synchronized (this) {
      send = !cancelled && !completed;
      cancelled = true;
      terminated = true;
      items.clear();
    }
    if (send) {
      canceller.cancel(invocationId);
    }
  }

  void start() {
    resultLane.execute(() -> subscriber.onSubscribe(this));
  }

  private void drainLater() {
    resultLane.execute(this::drain);
  }

  private void drain() {
    while (true) {
      Object next;
      Throwable failure;
      synchronized (this) {
        if (terminated) {
          return;
        }
        if (demand > 0 && !items.isEmpty()) {
          demand--;
          next = items.poll();
          failure = null;
        } else if (completed && items.isEmpty()) {
          terminated = true;
          next = null;
          failure = error;
        } else {
          return;
        }
      }
      if (next != null) {
        subscriber.onNext(next == NULL ? null : next);
      } else if (failure != null) {
        subscriber.onError(failure);
        return;
      } else {
        subscriber.onComplete();
        return;
      }
    }
  }

  /** Stands for a null item in the queue (ArrayDeque refuses null). */
  private static final Object NULL = new Object();
}
