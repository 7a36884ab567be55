package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.internal.dispatch.HubMethods;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubMessage;

/**
 * {@link NonBlocking} hub methods: on the connection's I/O thread when its lane is idle, in order
 * with the connection's other invocations, errors as completions; unmarked methods (asynchronous
 * ones included) and hubs with a blocking filter stay on the hub executor.
 */
class NonBlockingDispatchTest {
  static HubServer server;
  static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  static final Map<String, CompletableFuture<String>> gates = new ConcurrentHashMap<>();

  /** Messages parsed on /hubs/nb (counted before they are routed to the dispatcher). */
  static final java.util.concurrent.atomic.AtomicInteger parsed =
      new java.util.concurrent.atomic.AtomicInteger();

  static volatile CountDownLatch slowStarted = new CountDownLatch(1);
  static volatile CountDownLatch slowGate = new CountDownLatch(1);

  static CompletableFuture<String> gate(String key) {
    return gates.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  public static class NbHub extends Hub {
    @NonBlocking
    public CompletionStage<String> nbThread() {
      return CompletableFuture.completedFuture(Thread.currentThread().getName());
    }

    @NonBlocking
    public String nbValueThread() {
      return Thread.currentThread().getName();
    }

    public CompletionStage<String> asyncThread() {
      return CompletableFuture.completedFuture(Thread.currentThread().getName());
    }

    /** Starts, then completes when the test opens its gate. */
    @NonBlocking
    public CompletionStage<String> held(String key) {
      events.add("start " + key + " on " + Thread.currentThread().getName());
      return gate(key).thenApply(v -> key);
    }

    public String slow() throws InterruptedException {
      events.add("slow on " + Thread.currentThread().getName());
      slowStarted.countDown();
      slowGate.await(5, TimeUnit.SECONDS);
      return "slow";
    }

    @NonBlocking
    public CompletionStage<String> nbThrows(String message) {
      throw new HubException(message);
    }

    @NonBlocking
    public CompletionStage<String> nbFailsLater(String message) {
      return CompletableFuture.failedFuture(new HubException(message));
    }

    @NonBlocking
    public CompletionStage<String> nbHidden() {
      throw new IllegalStateException("secret");
    }
  }

  /** A filter that does not declare itself non-blocking. */
  static final class BlockingFilter implements HubFilter {}

  /** One that does. */
  static final class CpuFilter implements HubFilter {
    @Override
    public boolean nonBlocking() {
      return true;
    }

    @Override
    public Object invoke(HubInvocationContext invocation, Next next) throws Exception {
      events.add("filter " + invocation.methodName());
      return next.invoke(invocation);
    }
  }

  @BeforeAll
  static void start() {
    Supplier<NbHub> factory = NbHub::new;
    server =
        TestServers.start(
            HubServer.builder()
                .listener(
                    new ConnectionListener() {
                      @Override
                      public void messageReceived(String hubPath, String protocol) {
                        if (hubPath.equals("/hubs/nb") || hubPath.equals("/hubs/nb-parallel")) {
                          parsed.incrementAndGet();
                        }
                      }
                    })
                .hub("/hubs/nb", factory)
                .hub(
                    HubMapping.builder("/hubs/nb-parallel", factory)
                        .options(
                            HubOptions.builder().maximumParallelInvocationsPerClient(2).build())
                        .build())
                .hub(
                    HubMapping.builder("/hubs/nb-cpu-filter", factory)
                        .filter(new CpuFilter())
                        .build())
                .hub(
                    HubMapping.builder("/hubs/nb-blocking-filter", factory)
                        .filter(new CpuFilter())
                        .filter(new BlockingFilter())
                        .build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @BeforeEach
  void reset() {
    events.clear();
    gates.clear();
  }

  /**
   * Connects and waits for a first invocation's completion: onConnected runs in the connection's
   * serial order after the handshake, so until then an invocation waits behind it.
   */
  static TestHubClient connect(String path) {
    TestHubClient c = TestHubClient.connect(TestServers.url(server, path));
    assertThat(c.invokeAndAwait("asyncThread").error()).isNull();
    return c;
  }

  /**
   * {@code method} (a {@code @NonBlocking} one reporting its thread) runs on the I/O thread once
   * the connection is idle. Retried for a few seconds: the completion of the invocation before it
   * can reach the client a moment before that invocation's turn on the connection is released, and
   * an invocation arriving in that moment waits its turn on the hub executor, as it must.
   */
  static void assertRunsOnTheIoThread(TestHubClient c, String method) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat((String) c.invokeAndAwait(method).result()).startsWith("jvmchat-io"));
  }

  static void awaitParsed(int count) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(parsed.get()).isGreaterThanOrEqualTo(count));
  }

  @Test
  void aNonBlockingMethodRunsOnTheIoThread() {
    try (TestHubClient c = connect("/hubs/nb")) {
      assertRunsOnTheIoThread(c, "nbThread");
      assertThat((String) c.invokeAndAwait("nbValueThread").result()).startsWith("jvmchat-io");
    }
  }

  @Test
  void anUnmarkedAsynchronousMethodStillRunsOnTheHubExecutor() {
    try (TestHubClient c = connect("/hubs/nb")) {
      assertThat((String) c.invokeAndAwait("asyncThread").result())
          .doesNotStartWith("jvmchat-io")
          .doesNotStartWith("jvmchat-accept");
    }
  }

  @Test
  void nonBlockingFiltersRunOnTheIoThreadToo() {
    try (TestHubClient c = connect("/hubs/nb-cpu-filter")) {
      assertRunsOnTheIoThread(c, "nbThread");
      assertThat(events).contains("filter nbThread");
    }
  }

  @Test
  void aBlockingFilterKeepsNonBlockingMethodsOnTheHubExecutor() {
    try (TestHubClient c = connect("/hubs/nb-blocking-filter")) {
      assertThat((String) c.invokeAndAwait("nbThread").result())
          .doesNotStartWith("jvmchat-io")
          .doesNotStartWith("jvmchat-accept");
      assertThat(events).contains("filter nbThread");
    }
  }

  @Test
  void nonBlockingInvocationsOfOneConnectionRunOneAtATimeInArrivalOrder() {
    try (TestHubClient c = connect("/hubs/nb")) {
      int before = parsed.get();
      String a = c.invoke("held", "a");
      String b = c.invoke("held", "b");
      String d = c.invoke("held", "d");
      // All three parsed (and so handed to the dispatcher) while a's stage is pending: b and d
      // must not start before it completes.
      awaitParsed(before + 3);
      assertThat(c.pending()).isEmpty();
      assertThat(events).hasSize(1);
      assertThat(events.peek()).contains("jvmchat-io");
      gate("b").complete("ok"); // b's gate opens first; b still waits its turn
      gate("d").complete("ok");
      assertThat(events).hasSize(1);
      gate("a").complete("ok");
      List<String> order = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HubMessage m = c.awaitMessage(x -> x instanceof CompletionMessage, TestHubClient.TIMEOUT);
        order.add(((CompletionMessage) m).invocationId());
      }
      assertThat(order).containsExactly(a, b, d);
      assertThat(events).hasSize(3);
    }
  }

  @Test
  void withParallelInvocationsTheNextStartsOnceThePreviousReturnedItsStageUpToTheBound() {
    try (TestHubClient c = connect("/hubs/nb-parallel")) {
      int before = parsed.get();
      String a = c.invoke("held", "a");
      String b = c.invoke("held", "b");
      String d = c.invoke("held", "d");
      awaitParsed(before + 3);
      // Two stages may be incomplete at once: a and b started, in order; d waits for a slot.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(events).hasSize(2));
      assertThat(c.pending()).isEmpty();
      assertThat(new ArrayList<>(events).get(0)).startsWith("start a");
      assertThat(new ArrayList<>(events).get(1)).startsWith("start b");
      // b completes first: its completion is sent at once, and d takes the free slot.
      gate("b").complete("ok");
      HubMessage first = c.awaitMessage(m -> m instanceof CompletionMessage, TestHubClient.TIMEOUT);
      assertThat(((CompletionMessage) first).invocationId()).isEqualTo(b);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(events).hasSize(3));
      assertThat(new ArrayList<>(events).get(2)).startsWith("start d");
      gate("a").complete("ok");
      assertThat(c.awaitCompletion(a).result()).isEqualTo("a");
      gate("d").complete("ok");
      assertThat(c.awaitCompletion(d).result()).isEqualTo("d");
    }
  }

  @Test
  void aNonBlockingMethodWaitsBehindABlockingOneAndThenRunsOnTheExecutor() throws Exception {
    slowStarted = new CountDownLatch(1);
    slowGate = new CountDownLatch(1);
    try (TestHubClient c = connect("/hubs/nb")) {
      int before = parsed.get();
      String slow = c.invoke("slow");
      String held = c.invoke("held", "x");
      gate("x").complete("ok");
      assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
      awaitParsed(before + 2); // held was handed to the dispatcher while slow runs
      assertThat(events).hasSize(1);
      slowGate.countDown();
      HubMessage first = c.awaitMessage(m -> m instanceof CompletionMessage, TestHubClient.TIMEOUT);
      assertThat(((CompletionMessage) first).invocationId()).isEqualTo(slow);
      assertThat(c.awaitCompletion(held).result()).isEqualTo("x");
      assertThat(events).hasSize(2).last().asString().doesNotContain("jvmchat-io");
    } finally {
      slowGate.countDown();
    }
  }

  @Test
  void errorsOfNonBlockingMethodsCompleteTheInvocationReadably() {
    try (TestHubClient c = connect("/hubs/nb")) {
      assertThat(c.invokeAndAwait("nbThrows", "no such room").error())
          .isEqualTo(
              "An unexpected error occurred invoking 'nbThrows' on the server. HubException: no"
                  + " such room");
      assertThat(c.invokeAndAwait("nbFailsLater", "too long").error())
          .isEqualTo(
              "An unexpected error occurred invoking 'nbFailsLater' on the server. HubException:"
                  + " too long");
      assertThat(c.invokeAndAwait("nbHidden").error())
          .isEqualTo("An unexpected error occurred invoking 'nbHidden' on the server.");
      // The connection goes on.
      assertRunsOnTheIoThread(c, "nbThread");
    }
  }

  public static class StreamingNbHub extends Hub {
    @NonBlocking
    public java.util.Iterator<Integer> numbers() {
      return List.of(1).iterator();
    }
  }

  @Test
  void aStreamingMethodCannotBeMarkedNonBlocking() {
    assertThatThrownBy(() -> HubMethods.of(StreamingNbHub.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@NonBlocking")
        .hasMessageContaining("numbers");
  }
}
