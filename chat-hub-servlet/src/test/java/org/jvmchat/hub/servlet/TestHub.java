package org.jvmchat.hub.servlet;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubStreams;

/**
 * The hub the Servlet host's tests drive: a call, both stream directions, a client result, a
 * broadcast and the caller's user.
 */
public class TestHub extends Hub {
  private final ScheduledExecutorService scheduler;

  public TestHub(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  public String echo(String message) {
    return message;
  }

  /** Streams 0..count-1, one every delayMs; stops when the client cancels. */
  public Flow.Publisher<Integer> counter(int count, int delayMs) {
    return HubStreams.interval(count, Duration.ofMillis(delayMs), scheduler, i -> i);
  }

  /** Sums a client-to-server stream once the client completes it. */
  public CompletableFuture<Integer> sum(Flow.Publisher<Integer> numbers) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    numbers.subscribe(
        new Flow.Subscriber<>() {
          private int total;
          private Flow.Subscription subscription;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(Integer item) {
            total += item == null ? 0 : item;
            subscription.request(1);
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            result.complete(total);
          }
        });
    return result;
  }

  /**
   * Sums a client-to-server stream taking one item every {@code delayMs}: a client that sends
   * faster fills the stream's buffer, which pauses reading the connection until the method catches
   * up.
   */
  public CompletableFuture<Integer> slowSum(Flow.Publisher<Integer> numbers, int delayMs) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    numbers.subscribe(
        new Flow.Subscriber<>() {
          private int total;
          private Flow.Subscription subscription;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(Integer item) {
            total += item == null ? 0 : item;
            scheduler.schedule(
                () -> subscription.request(1), delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            result.complete(total);
          }
        });
    return result;
  }

  /** Invokes Ask(question) on the caller and returns the client's answer. */
  public CompletableFuture<String> askClient(String question) {
    return clients().caller().invoke(String.class, "Ask", question);
  }

  /** Every connection gets Broadcasted(message). */
  public CompletableFuture<Void> broadcast(String message) {
    return clients().all().send("Broadcasted", message);
  }

  /** The caller's user id, or null when anonymous. */
  public String whoAmI() {
    return context().userIdentifier();
  }

  /** The transport carrying the caller. */
  public String transport() {
    return context().transport();
  }
}
