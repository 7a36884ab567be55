package org.jvmchat.client.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/** A Flow subscriber that records what it gets and requests as the test says. */
public final class Recorder<T> implements Flow.Subscriber<T> {
  public final List<T> items = new CopyOnWriteArrayList<>();
  public final AtomicReference<Throwable> error = new AtomicReference<>();
  public volatile boolean completed;
  public volatile Flow.Subscription subscription;
  private final long initialRequest;

  public Recorder(long initialRequest) {
    this.initialRequest = initialRequest;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (initialRequest > 0) {
      s.request(initialRequest);
    }
  }

  @Override
  public void onNext(T item) {
    items.add(item);
  }

  @Override
  public void onError(Throwable t) {
    error.set(t);
  }

  @Override
  public void onComplete() {
    completed = true;
  }

  public boolean terminated() {
    return completed || error.get() != null;
  }
}
