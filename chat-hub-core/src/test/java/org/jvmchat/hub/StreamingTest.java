package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;

/** Server-to-client streams, cancellation and client-to-server (upload) streams (§4). */
class StreamingTest {
  static HubServer server;
  static ScheduledExecutorService scheduler;
  static final AtomicInteger produced = new AtomicInteger();
  static volatile CountDownLatch producerCancelled = new CountDownLatch(1);
  static volatile CountDownLatch subscribeGate = new CountDownLatch(1);

  public static class StreamHub extends Hub {
    public Flow.Publisher<Integer> counter(int count) {
      return HubStreams.interval(count, Duration.ofMillis(5), scheduler, i -> i);
    }

    public Iterator<String> letters() {
      return List.of("a", "b", "c").iterator();
    }

    public Stream<Integer> squares(int n) {
      return IntStream.rangeClosed(1, n).map(i -> i * i).boxed();
    }

    public Iterator<Integer> brokenIterator() {
      return new Iterator<>() {
        int i;

        @Override
        public boolean hasNext() {
          return true;
        }

        @Override
        public Integer next() {
          if (i == 2) {
            throw new HubException("ran dry");
          }
          return i++;
        }
      };
    }

    /** An endless producer that records every item it makes and its cancellation. */
    public Flow.Publisher<Integer> ticks() {
      Flow.Publisher<Integer> inner =
          HubStreams.interval(
              Integer.MAX_VALUE,
              Duration.ofMillis(10),
              scheduler,
              i -> {
                produced.incrementAndGet();
                return i;
              });
      return subscriber ->
          inner.subscribe(
              new Flow.Subscriber<Integer>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  subscriber.onSubscribe(
                      new Flow.Subscription() {
                        @Override
                        public void request(long n) {
                          s.request(n);
                        }

                        @Override
                        public void cancel() {
                          s.cancel();
                          producerCancelled.countDown();
                        }
                      });
                }

                @Override
                public void onNext(Integer item) {
                  subscriber.onNext(item);
                }

                @Override
                public void onError(Throwable t) {
                  subscriber.onError(t);
                }

                @Override
                public void onComplete() {
                  subscriber.onComplete();
                }
              });
    }

    public CompletableFuture<List<String>> collect(Flow.Publisher<String> items) {
      return collectAll(items);
    }

    public CompletableFuture<List<String>> collectLate(Flow.Publisher<String> items)
        throws InterruptedException {
      subscribeGate.await(5, TimeUnit.SECONDS);
      return collectAll(items);
    }

    public String echo(String s) {
      return s;
    }
  }

  static CompletableFuture<List<String>> collectAll(Flow.Publisher<String> items) {
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    List<String> all = new ArrayList<>();
    items.subscribe(
        new Flow.Subscriber<String>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(String item) {
            all.add(item);
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            result.complete(all);
          }
        });
    return result;
  }

  @BeforeAll
  static void start() {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    server = TestServers.start(HubServer.builder().hub("/hubs/streams", StreamHub::new));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
    scheduler.shutdownNow();
  }

  static TestHubClient connect() {
    return TestHubClient.connect(TestServers.url(server, "/hubs/streams"));
  }

  static List<Object> items(TestHubClient c, String id, int count) {
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      items.add(
          ((StreamItemMessage)
                  c.awaitMessage(
                      m -> m instanceof StreamItemMessage s && s.invocationId().equals(id)))
              .item());
    }
    return items;
  }

  @Test
  void publisherStreamSendsItemsThenAnEmptyCompletion() {
    try (TestHubClient c = connect()) {
      String id = c.stream("counter", 5);
      assertThat(items(c, id, 5)).containsExactly(0, 1, 2, 3, 4);
      CompletionMessage done = c.awaitCompletion(id);
      assertThat(done.error()).isNull();
      assertThat(done.hasResult()).isFalse();
    }
  }

  @Test
  void iteratorStream() {
    try (TestHubClient c = connect()) {
      String id = c.stream("letters");
      assertThat(items(c, id, 3)).containsExactly("a", "b", "c");
      assertThat(c.awaitCompletion(id).error()).isNull();
    }
  }

  @Test
  void javaStreamStream() {
    try (TestHubClient c = connect()) {
      String id = c.stream("squares", 4);
      assertThat(items(c, id, 4)).containsExactly(1, 4, 9, 16);
      assertThat(c.awaitCompletion(id).error()).isNull();
    }
  }

  @Test
  void failingStreamEndsWithAnErrorCompletion() {
    try (TestHubClient c = connect()) {
      String id = c.stream("brokenIterator");
      assertThat(items(c, id, 2)).containsExactly(0, 1);
      assertThat(c.awaitCompletion(id).error())
          .isEqualTo(
              "An error occurred on the server while streaming results. HubException: ran dry");
    }
  }

  @Test
  void cancelInvocationStopsTheProducer() {
    producerCancelled = new CountDownLatch(1);
    try (TestHubClient c = connect()) {
      String id = c.stream("ticks");
      items(c, id, 3);
      c.send(CancelInvocationMessage.of(id));
      await().atMost(Duration.ofSeconds(5)).until(() -> producerCancelled.getCount() == 0);
      CompletionMessage done = c.awaitCompletion(id);
      assertThat(done.error()).isNull();
      // The producer makes an item every 10 ms while running: it must stay quiet now.
      int[] last = {produced.get()};
      await()
          .pollInterval(Duration.ofMillis(100))
          .atMost(Duration.ofSeconds(3))
          .until(
              () -> {
                int now = produced.get();
                boolean stable = now == last[0];
                last[0] = now;
                return stable;
              });
      // Other invocations still work, and no item of the cancelled stream follows its completion.
      assertThat(c.invokeAndAwait("echo", "after").result()).isEqualTo("after");
      List<HubMessage> history = c.history();
      int completion = history.indexOf(done);
      assertThat(history.subList(completion, history.size()))
          .noneMatch(m -> m instanceof StreamItemMessage s && s.invocationId().equals(id));
    }
  }

  @Test
  void cancelForAnUnknownIdIsIgnored() {
    try (TestHubClient c = connect()) {
      c.send(CancelInvocationMessage.of("nope"));
      assertThat(c.invokeAndAwait("echo", "fine").result()).isEqualTo("fine");
      assertThat(c.pending()).isEmpty();
    }
  }

  @Test
  void duplicateStreamInvocationIdIsRefused() {
    producerCancelled = new CountDownLatch(1);
    try (TestHubClient c = connect()) {
      c.send(StreamInvocationMessage.of("dup", "ticks"));
      items(c, "dup", 1);
      c.send(StreamInvocationMessage.of("dup", "ticks"));
      CompletionMessage refused =
          (CompletionMessage)
              c.awaitMessage(
                  m ->
                      m instanceof CompletionMessage cm
                          && cm.invocationId().equals("dup")
                          && cm.error() != null);
      assertThat(refused.error()).isEqualTo("Invocation ID 'dup' is already in use.");
      c.send(CancelInvocationMessage.of("dup"));
      await().atMost(Duration.ofSeconds(5)).until(() -> producerCancelled.getCount() == 0);
    }
  }

  @Test
  void uploadStreamItemsReachTheMethod() {
    try (TestHubClient c = connect()) {
      c.send(new InvocationMessage(null, "1", "collect", List.of(), List.of("s0")));
      c.send(StreamItemMessage.of("s0", "x"));
      c.send(StreamItemMessage.of("s0", "y"));
      c.send(CompletionMessage.empty("s0"));
      CompletionMessage m = c.awaitCompletion("1");
      assertThat(m.error()).isNull();
      assertThat(m.result()).isEqualTo(List.of("x", "y"));
    }
  }

  @Test
  void uploadItemsSentBeforeTheMethodSubscribesAreKept() {
    subscribeGate = new CountDownLatch(1);
    try (TestHubClient c = connect()) {
      c.send(new InvocationMessage(null, "1", "collectLate", List.of(), List.of("s0")));
      for (int i = 0; i < 5; i++) {
        c.send(StreamItemMessage.of("s0", "item" + i));
      }
      c.send(CompletionMessage.empty("s0"));
      // Make sure all of it reached the server before the method subscribes.
      try (TestHubClient other = connect()) {
        other.invokeAndAwait("echo", "sync");
      }
      subscribeGate.countDown();
      CompletionMessage m = c.awaitCompletion("1");
      assertThat(m.result()).isEqualTo(List.of("item0", "item1", "item2", "item3", "item4"));
    } finally {
      subscribeGate.countDown();
    }
  }

  @Test
  void uploadStreamErrorFromTheClientFailsTheMethod() {
    try (TestHubClient c = connect()) {
      c.send(new InvocationMessage(null, "1", "collect", List.of(), List.of("s0")));
      c.send(StreamItemMessage.of("s0", "x"));
      c.send(CompletionMessage.withError("s0", "client source failed"));
      CompletionMessage m = c.awaitCompletion("1");
      assertThat(m.error()).contains("client source failed");
      assertThat(c.invokeAndAwait("echo", "ok").result()).isEqualTo("ok");
    }
  }

  @Test
  void streamIdCountMismatchIsAnError() {
    try (TestHubClient c = connect()) {
      c.send(new InvocationMessage(null, "1", "collect", List.of(), List.of()));
      HubMessage m = c.awaitCompletion("1");
      assertThat(((CompletionMessage) m).error())
          .startsWith("An unexpected error occurred invoking 'collect' on the server.");
    }
  }

  @Test
  void streamsBothWaysOverMessagePack() {
    try (TestHubClient c =
        TestHubClient.connect(
            TestServers.url(server, "/hubs/streams"),
            new org.jvmchat.protocol.msgpack.MessagePackHubProtocol())) {
      String id = c.stream("counter", 3);
      assertThat(items(c, id, 3)).containsExactly(0, 1, 2);
      assertThat(c.awaitCompletion(id).error()).isNull();
      c.send(new InvocationMessage(null, "up", "collect", List.of(), List.of("s9")));
      c.send(StreamItemMessage.of("s9", "p"));
      c.send(StreamItemMessage.of("s9", "q"));
      c.send(CompletionMessage.empty("s9"));
      assertThat(c.awaitCompletion("up").result()).isEqualTo(List.of("p", "q"));
    }
  }

  @Test
  void manyUploadItemsBeyondTheBufferArriveInOrder() {
    try (TestHubClient c = connect()) {
      c.send(new InvocationMessage(null, "1", "collect", List.of(), List.of("s0")));
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        c.send(StreamItemMessage.of("s0", "i" + i));
        expected.add("i" + i);
      }
      c.send(CompletionMessage.empty("s0"));
      assertThat(c.awaitCompletion("1").result()).isEqualTo(expected);
    }
  }
}
