package org.jvmchat.hub.internal.dispatch;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client-to-server stream as the hub method sees it: a single-subscriber publisher fed by
 * StreamItem messages. Items wait in a buffer of {@code capacity} until the subscriber asks for
 * them; {@link #offer} returns false once the buffer is full so that the connection can stop
 * reading from the client until the method catches up ({@link #onSpace}). The subscriber is called
 * on the hub executor, never on the I/O thread that received the items.
 */
public final class UploadStream implements Flow.Publisher<Object> {
  private final String streamId;
  private final int capacity;
  private final Executor executor;
  private boolean scheduled;
  private boolean full;
  private final ArrayDeque<Object> buffer = new ArrayDeque<>();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private Flow.Subscriber<? super Object> subscriber;
  private long demand;
  private boolean completed;
  private Throwable error;
  private boolean terminated;
  private boolean cancelled;
  private boolean draining;
  private Runnable onSpace = () -> {};

  public UploadStream(String streamId, int capacity, Executor executor) {
    this.streamId = streamId;
    this.capacity = capacity;
    this.executor = executor;
  }

  public String streamId() {
    return streamId;
  }

  /**
   * Called once when the buffer has room again after {@link #offer} returned false; at once when it
   * already has.
   */
  public void onSpace(Runnable callback) {
    boolean now;
    synchronized (this) {
      now = !full;
      this.onSpace = now ? () -> {} : callback;
    }
    if (now) {
      callback.run();
    }
  }

  /** Adds an item; returns false when the buffer is now full. Items after the end are ignored. */
  public boolean offer(Object item) {
    synchronized (this) {
      if (completed || cancelled) {
        return true;
      }
      buffer.add(item == null ? NULL : item);
    }
    schedule();
    synchronized (this) {
      if (buffer.size() >= capacity) {
        full = true;
      }
      return !full;
    }
  }

  public void complete(Throwable failure) {
    synchronized (this) {
      if (completed) {
        return;
      }
      completed = true;
      error = failure;
    }
    schedule();
  }

  /** Drops buffered items and ignores later ones (the method is done with the stream). */
  public void discard() {
    Runnable callback = null;
    synchronized (this) {
      cancelled = true;
      buffer.clear();
      if (full) {
        full = false;
        callback = onSpace;
        onSpace = () -> {};
      }
    }
    if (callback != null) {
      callback.run();
    }
  }

  public synchronized boolean isCompleted() {
    return completed;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Object> s) {
    if (!subscribed.compareAndSet(false, true)) {
      s.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      s.onError(new IllegalStateException("A client stream can be subscribed to only once"));
      return;
    }
    synchronized (this) {
      subscriber = s;
    }
    s.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {
            synchronized (UploadStream.this) {
              demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            schedule();
          }

          @Override
          public void cancel() {
            discard();
          }
        });
    schedule();
  }

  private static final Object NULL = new Object();

  /** Runs {@link #drain()} on the executor, at most one run at a time. */
  private void schedule() {
    synchronized (this) {
      if (scheduled || subscriber == null) {
        return;
      }
      scheduled = true;
    }
    try {
      executor.execute(
          () -> {
            synchronized (this) {
              scheduled = false;
            }
            drain();
          });
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        scheduled = false;
        completed = true;
        error = e;
        buffer.clear();
      }
    }
  }

  private void drain() {
    synchronized (this) {
      if (draining || subscriber == null) {
        return;
      }
      draining = true;
    }
    boolean freed = false;
    while (true) {
      Object item;
      boolean finish = false;
      Flow.Subscriber<? super Object> s;
      synchronized (this) {
        s = subscriber;
        if (cancelled || terminated) {
          draining = false;
          if (full) {
            full = false;
            freed = true;
          }
          break;
        }
        if (demand > 0 && !buffer.isEmpty()) {
          item = buffer.poll();
          demand--;
          if (full && buffer.size() < capacity) {
            full = false;
            freed = true;
          }
        } else if (buffer.isEmpty() && completed) {
          terminated = true;
          finish = true;
          item = null;
        } else {
          draining = false;
          break;
        }
      }
      if (finish) {
        if (error != null) {
          s.onError(error);
        } else {
          s.onComplete();
        }
        continue;
      }
      s.onNext(item == NULL ? null : item);
    }
    if (freed) {
      Runnable callback;
      synchronized (this) {
        callback = onSpace;
        onSpace = () -> {};
      }
      callback.run();
    }
  }
}
