package org.jvmchat.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class DeltaSubscriptionTest {

  private final List<String> received = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Throwable> terminal = new CompletableFuture<>();
  private final AtomicInteger upstreamCancels = new AtomicInteger();

  private final Flow.Subscriber<String> subscriber =
      new Flow.Subscriber<>() {
        @Override
        public void onSubscribe(Flow.Subscription s) {}

        @Override
        public void onNext(String item) {
          received.add(item);
        }

        @Override
        public void onError(Throwable t) {
          terminal.complete(t);
        }

        @Override
        public void onComplete() {
          terminal.complete(null);
        }
      };

  private final DeltaSubscription subscription =
      new DeltaSubscription(subscriber, 2, upstreamCancels::incrementAndGet);

  @Test
  void aFullBufferMakesTheProducerWaitUntilTheSubscriberRequests() throws Exception {
    assertThat(subscription.offer("a", 0)).isTrue();
    assertThat(subscription.offer("b", 0)).isTrue();
    assertThat(subscription.offer("c", TimeUnit.MILLISECONDS.toNanos(20)))
        .as("no room and no demand")
        .isFalse();

    CompletableFuture<Boolean> blocked =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return subscription.offer("c", TimeUnit.SECONDS.toNanos(5));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await()
        .during(Duration.ofMillis(100))
        .atMost(Duration.ofSeconds(1))
        .until(() -> !blocked.isDone());

    subscription.request(1);

    assertThat(blocked.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(received).containsExactly("a");
    subscription.request(5);
    assertThat(received).containsExactly("a", "b", "c");
  }

  @Test
  void completionWaitsForBufferedItemsAndDemand() {
    subscription.request(1);
    offer("a");
    offer("b");
    subscription.complete();

    assertThat(received).containsExactly("a");
    assertThat(terminal).isNotDone();
    subscription.request(1);
    assertThat(received).containsExactly("a", "b");
    assertThat(terminal).isCompletedWithValue(null);
  }

  @Test
  void anErrorIsDeliveredWithoutDemandAndDropsTheBuffer() {
    offer("a");
    IllegalStateException error = new IllegalStateException("x");
    subscription.fail(error);

    assertThat(terminal).isCompletedWithValue(error);
    assertThat(received).isEmpty();
    subscription.complete();
    subscription.request(1);
    assertThat(received).isEmpty();
  }

  @Test
  void anErrorWakesAProducerWaitingForRoom() throws Exception {
    offer("a");
    offer("b");
    CompletableFuture<Boolean> blocked =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return subscription.offer("c", TimeUnit.SECONDS.toNanos(5));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    subscription.fail(new IllegalStateException("timeout"));

    assertThat(blocked.get(5, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void cancelStopsDeliveryAndCancelsUpstreamOnce() throws Exception {
    subscription.request(10);
    offer("a");
    subscription.cancel();
    subscription.cancel();

    assertThat(subscription.offer("b", 0)).isFalse();
    subscription.complete();
    assertThat(received).containsExactly("a");
    assertThat(terminal).isNotDone();
    assertThat(upstreamCancels).hasValue(1);
  }

  @Test
  void demandAddsUpWithoutOverflowing() {
    subscription.request(Long.MAX_VALUE);
    subscription.request(Long.MAX_VALUE);
    for (String s : List.of("a", "b", "c", "d")) {
      offer(s);
    }
    assertThat(received).containsExactly("a", "b", "c", "d");
  }

  @Test
  void aNonPositiveRequestIsAnError() {
    subscription.request(-1);

    assertThat(terminal.join()).isInstanceOf(IllegalArgumentException.class);
    assertThat(upstreamCancels).hasValue(1);
  }

  private void offer(String s) {
    try {
      assertThat(subscription.offer(s, TimeUnit.SECONDS.toNanos(1))).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
