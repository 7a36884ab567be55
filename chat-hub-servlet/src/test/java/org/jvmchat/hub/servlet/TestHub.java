package org.jvmchat.hub.servlet;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.examples.tour.TourHub;

/**
 * The hub the Servlet host's tests drive: the feature tour's hub (a call, both stream directions, a
 * client result, a broadcast), served by the Servlet host, plus the caller's user and transport and
 * a slow client-to-server stream.
 */
public class TestHub extends TourHub {
  private final ScheduledExecutorService scheduler;

  public TestHub(ScheduledExecutorService scheduler) {
    super(scheduler);
    this.scheduler = scheduler;
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

  /** The caller's user id, or null when anonymous. */
  public String whoAmI() {
    return context().userIdentifier();
  }

  /** The transport carrying the caller. */
  public String transport() {
    return context().transport();
  }
}
