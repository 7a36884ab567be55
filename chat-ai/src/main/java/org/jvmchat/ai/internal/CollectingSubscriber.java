package org.jvmchat.ai.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Collects a stream of deltas into one string, handing each delta to a callback on the way.
 * Cancelling the future cancels the subscription.
 */
public final class CollectingSubscriber implements Flow.Subscriber<String> {

  private final Consumer<String> onDelta;
  private final StringBuilder text = new StringBuilder();
  private final CompletableFuture<String> result = new CompletableFuture<>();
  private volatile Flow.Subscription subscription;

  private CollectingSubscriber(Consumer<String> onDelta) {
    this.onDelta = onDelta;
  }

  /** Subscribes to {@code deltas} and answers the whole text. */
  public static CompletableFuture<String> collect(
      Flow.Publisher<String> deltas, Consumer<String> onDelta) {
    CollectingSubscriber subscriber =
        new CollectingSubscriber(Objects.requireNonNull(onDelta, "onDelta"));
    deltas.subscribe(subscriber);
    return subscriber.result;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    result.whenComplete(
        (text, error) -> {
          if (result.isCancelled()) {
            subscription.cancel();
          }
        });
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(String delta) {
    if (result.isDone()) {
      return;
    }
    text.append(delta);
    try {
      onDelta.accept(delta);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      subscription.cancel();
    }
  }

  @Override
  public void onError(Throwable error) {
    result.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    result.complete(text.toString());
  }
}
