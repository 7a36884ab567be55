package org.jvmchat.hub.internal.dispatch;

import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client-to-server stream as the hub method sees it: a single-subscriber publisher fed by
 * StreamItem messages. Items wait in a buffer of {@code capacity} until the subscriber asks for
 * them; {@link #offer} returns false once the buffer is full so that the connection can stop
 * reading from the client until the method catches up ({@link #onSpace}).
 */
public final class UploadStream implements Flow.Publisher<Object> {
  private final String streamId;
  private final int capacity;
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

  public UploadStream(String streamId, int capacity) {
    this.streamId = streamId;
    this.capacity = capacity;
  }

  public String streamId() {
    return streamId;
  }

  /** Called when the buffer has room again after {@link #offer} returned false. */
  public synchronized void onSpace(Runnable callback) {
    this.onSpace = callback;
  }

  /** Adds an item; returns false when the buffer is now full. Items after the end are ignored. */
  public boolean offer(Object item) {
    synchronized (this) {
      if (completed || cancelled) {
        return true;
      }
      buffer.add(item == null ? NULL : item);
    }
    drain();
    synchronized (this) {
      return buffer.size() < capacity;
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
    drain();
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
            drain();
          }

          @Override
          public void cancel() {
            synchronized (UploadStream.this) {
              cancelled = true;
              buffer.clear();
            }
          }
        });
    drain();
  }

  private static final Object NULL = new Object();

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
          break;
        }
        if (demand > 0 && !buffer.isEmpty()) {
          item = buffer.poll();
          demand--;
          if (buffer.size() == capacity - 1) {
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
      }
      callback.run();
    }
  }
}
