package org.jvmchat.server.backplane;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jvmchat.hub.spi.Backplane;

/**
 * A {@link Backplane} that reports how long each publish took (until the backplane acknowledged it)
 * to a listener set later, e.g. the server's metrics; otherwise the backplane it wraps.
 */
final class TimedBackplane implements Backplane {
  /** Hears each publish: how long it took in ns, and whether it failed. */
  @FunctionalInterface
  interface PublishListener {
    void published(long nanos, boolean failed);
  }

  private final Backplane delegate;
  private volatile PublishListener listener;

  TimedBackplane(Backplane delegate) {
    this.delegate = delegate;
  }

  void listener(PublishListener listener) {
    this.listener = listener;
  }

  @Override
  public CompletableFuture<Long> publish(String channel, byte[] payload) {
    PublishListener l = listener;
    if (l == null) {
      return delegate.publish(channel, payload);
    }
    long start = System.nanoTime();
    CompletableFuture<Long> f = delegate.publish(channel, payload);
    f.whenComplete((n, e) -> l.published(System.nanoTime() - start, e != null));
    return f;
  }

  @Override
  public CompletableFuture<Void> deliver(String channel, byte[] payload) {
    PublishListener l = listener;
    if (l == null) {
      return delegate.deliver(channel, payload);
    }
    long start = System.nanoTime();
    CompletableFuture<Void> f = delegate.deliver(channel, payload);
    f.whenComplete((n, e) -> l.published(System.nanoTime() - start, e != null));
    return f;
  }

  @Override
  public CompletableFuture<Subscription> subscribe(String channel, Consumer<byte[]> handler) {
    return delegate.subscribe(channel, handler);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(Subscription subscription) {
    return delegate.unsubscribe(subscription);
  }

  @Override
  public boolean isConnected() {
    return delegate.isConnected();
  }

  @Override
  public Status status() {
    return delegate.status();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
