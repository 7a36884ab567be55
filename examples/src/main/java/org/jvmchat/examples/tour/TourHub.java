package org.jvmchat.examples.tour;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubStreams;
import org.jvmchat.protocol.HubException;

/** The protocol feature tour: one method for each feature of the hub model. */
public class TourHub extends Hub {
  private static final String PRODUCED = "tour.counter.produced";
  private static final String OBSERVERS = "observers";

  private final ScheduledExecutorService scheduler;

  public TourHub(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /** Returns its argument. */
  public String echo(String message) {
    return message;
  }

  /** Returns the sum. */
  public int add(int a, int b) {
    return a + b;
  }

  /** Streams 0..count-1, one every delayMs; stops when the client cancels. */
  public Flow.Publisher<Integer> counter(int count, int delayMs) {
    if (count < 0 || delayMs < 0) {
      throw new HubException("count and delayMs must not be negative");
    }
    AtomicInteger produced =
        (AtomicInteger) context().items().computeIfAbsent(PRODUCED, k -> new AtomicInteger());
    return HubStreams.interval(
        count,
        Duration.ofMillis(delayMs),
        scheduler,
        i -> {
          produced.incrementAndGet();
          return i;
        });
  }

  /** How many items the Counter streams of this connection have produced (to observe cancel). */
  public int counterProduced() {
    AtomicInteger produced = (AtomicInteger) context().items().get(PRODUCED);
    return produced == null ? 0 : produced.get();
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

  /** Invokes Ask(question) on the caller and returns the client's answer. */
  public CompletableFuture<String> askClient(String question) {
    return clients().caller().invoke(String.class, "Ask", question);
  }

  /** Every connection gets Broadcasted(message). */
  public CompletableFuture<Void> broadcast(String message) {
    return clients().all().send("Broadcasted", message);
  }

  /**
   * Puts the caller in the {@code observers} group, which gets {@code Disconnected(connectionId)}
   * whenever a connection ends: makes the disconnect hook observable from outside.
   */
  public CompletableFuture<Void> observeDisconnects() {
    return groups().addToGroup(context().connectionId(), OBSERVERS);
  }

  @Override
  public void onDisconnected(Throwable error) {
    clients().group(OBSERVERS).send("Disconnected", context().connectionId());
  }

  /** Always completes with an error. */
  public void fail() {
    throw new HubException("This method always fails.");
  }
}
