package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * Hub method dispatch: results, errors, non-blocking calls, ordering, threads (SIGNALR.md §3.3).
 */
class DispatchTest {
  static HubServer server;
  static final ConcurrentLinkedQueue<String> recorded = new ConcurrentLinkedQueue<>();
  static volatile CountDownLatch slowStarted = new CountDownLatch(1);
  static volatile CountDownLatch slowGate = new CountDownLatch(1);
  static final AtomicBoolean fastRan = new AtomicBoolean();

  public record Point(int x, int y) {}

  public static class DispatchHub extends Hub {
    public int add(int a, int b) {
      return a + b;
    }

    public String echo(String s) {
      return s;
    }

    public Point point(int x, int y) {
      return new Point(x, y);
    }

    public List<String> pair(String a, String b) {
      return List.of(a, b);
    }

    public void nothing() {}

    public CompletableFuture<String> later(String s) {
      return CompletableFuture.supplyAsync(
          () -> s, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
    }

    public void record(String s) {
      recorded.add(s);
    }

    public void fail(String message) {
      throw new IllegalStateException(message);
    }

    public void hubFail(String message) {
      throw new HubException(message);
    }

    public String slow() throws InterruptedException {
      slowStarted.countDown();
      slowGate.await(5, TimeUnit.SECONDS);
      return "slow";
    }

    public String fast() {
      fastRan.set(true);
      return "fast";
    }

    public String threadName() {
      return Thread.currentThread().getName();
    }

    public java.util.Iterator<Integer> numbers() {
      return List.of(1, 2).iterator();
    }
  }

  @BeforeAll
  static void start() {
    server =
        TestServers.start(
            HubServer.builder()
                .hub("/hubs/dispatch", DispatchHub::new)
                .hub(
                    "/hubs/detailed",
                    DispatchHub::new,
                    HubOptions.builder().detailedErrors(true).build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  static TestHubClient connect() {
    return TestHubClient.connect(TestServers.url(server, "/hubs/dispatch"));
  }

  @Test
  void intResult() {
    try (TestHubClient c = connect()) {
      CompletionMessage m = c.invokeAndAwait("add", 40, 2);
      assertThat(m.error()).isNull();
      assertThat(m.result()).isEqualTo(42);
    }
  }

  @Test
  void stringResult() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("echo", "héllo \u001e").result()).isEqualTo("héllo \u001e");
    }
  }

  @Test
  void methodNamesMatchCaseInsensitively() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("ECHO", "x").result()).isEqualTo("x");
    }
  }

  @Test
  void recordResultIsAnObjectWithCamelCaseProperties() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("point", 1, 2).result()).isEqualTo(Map.of("x", 1, "y", 2));
    }
  }

  @Test
  void listResult() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("pair", "a", "b").result()).isEqualTo(List.of("a", "b"));
    }
  }

  @Test
  void voidMethodCompletesWithResultNull() {
    try (TestHubClient c = connect()) {
      String id = c.invoke("nothing");
      CompletionMessage m = c.awaitCompletion(id);
      assertThat(m.hasResult()).isTrue();
      assertThat(m.result()).isNull();
      assertThat(c.frames())
          .extracting(f -> new String(f, StandardCharsets.UTF_8))
          .contains("{\"type\":3,\"invocationId\":\"" + id + "\",\"result\":null}\u001e");
    }
  }

  @Test
  void asyncResultCompletesWhenTheFutureDoes() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("later", "eventually").result()).isEqualTo("eventually");
    }
  }

  @Test
  void messagePackResults() {
    try (TestHubClient c =
        TestHubClient.connect(
            TestServers.url(server, "/hubs/dispatch"), new MessagePackHubProtocol())) {
      assertThat(c.invokeAndAwait("add", 1, 2).result()).isEqualTo(3);
      assertThat(c.invokeAndAwait("point", 3, 4).result()).isEqualTo(Map.of("x", 3, "y", 4));
      CompletionMessage v = c.invokeAndAwait("nothing");
      assertThat(v.hasResult()).isTrue();
      assertThat(v.result()).isNull();
    }
  }

  @Test
  void nonBlockingInvocationRunsAndIsNeverAnswered() {
    try (TestHubClient c = connect()) {
      c.sendInvocation("record", "fire-and-forget");
      c.sendInvocation("fail", "ignored error");
      c.sendInvocation("noSuchMethod");
      c.sendInvocation("add", "wrong", "types");
      // Invocations run in order: once this one is answered, the ones before it have run.
      String id = c.invoke("echo", "marker");
      c.awaitCompletion(id);
      assertThat(recorded).contains("fire-and-forget");
      assertThat(c.pending()).isEmpty();
    }
  }

  @Test
  void unknownMethodIsAPerInvocationError() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("noSuchMethod", 1).error())
          .isEqualTo("Unknown hub method 'noSuchMethod'");
      assertThat(c.invokeAndAwait("echo", "still open").result()).isEqualTo("still open");
    }
  }

  @Test
  void wrongArgumentCountFailsOnlyThatInvocation() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("add", 1).error())
          .startsWith("Failed to invoke 'add' due to an error on the server.");
      assertThat(c.invokeAndAwait("add", 1, 2).result()).isEqualTo(3);
    }
  }

  @Test
  void wrongArgumentTypeFailsOnlyThatInvocation() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("add", "one", 2).error())
          .startsWith("Failed to invoke 'add' due to an error on the server.");
      assertThat(c.invokeAndAwait("add", 1, 2).result()).isEqualTo(3);
    }
  }

  @Test
  void hubExceptionMessageReachesTheClient() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("hubFail", "you may know this").error())
          .isEqualTo(
              "An unexpected error occurred invoking 'hubFail' on the server."
                  + " HubException: you may know this");
    }
  }

  @Test
  void otherExceptionsAreHiddenBehindAGenericError() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("fail", "secret detail").error())
          .isEqualTo("An unexpected error occurred invoking 'fail' on the server.");
    }
  }

  @Test
  void detailedErrorsExposeTheExceptionWhenEnabled() {
    try (TestHubClient c = TestHubClient.connect(TestServers.url(server, "/hubs/detailed"))) {
      assertThat(c.invokeAndAwait("fail", "secret detail").error())
          .isEqualTo(
              "An unexpected error occurred invoking 'fail' on the server."
                  + " IllegalStateException: secret detail");
    }
  }

  @Test
  void streamingMethodInvokedWithoutStreamingIsAnError() {
    try (TestHubClient c = connect()) {
      assertThat(c.invokeAndAwait("numbers").error())
          .isEqualTo(
              "The client attempted to invoke the streaming 'numbers' method with a"
                  + " non-streaming invocation.");
    }
  }

  @Test
  void nonStreamingMethodInvokedAsAStreamIsAnError() {
    try (TestHubClient c = connect()) {
      String id = c.stream("add", 1, 2);
      assertThat(c.awaitCompletion(id).error())
          .isEqualTo(
              "The client attempted to invoke the non-streaming 'add' method with a streaming"
                  + " invocation.");
    }
  }

  @Test
  void invocationsOfOneConnectionRunOneAtATimeInOrder() throws Exception {
    slowStarted = new CountDownLatch(1);
    slowGate = new CountDownLatch(1);
    fastRan.set(false);
    try (TestHubClient c = connect()) {
      String slow = c.invoke("slow");
      String fast = c.invoke("fast");
      assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
      // The fast invocation has arrived; it must not start while the slow one runs. Prove it is
      // queued behind it by letting another connection's invocation complete meanwhile.
      try (TestHubClient other = connect()) {
        assertThat(other.invokeAndAwait("echo", "other").result()).isEqualTo("other");
      }
      assertThat(fastRan).isFalse();
      slowGate.countDown();
      HubMessage first = c.awaitMessage(m -> m instanceof CompletionMessage, TestHubClient.TIMEOUT);
      assertThat(((CompletionMessage) first).invocationId()).isEqualTo(slow);
      assertThat(c.awaitCompletion(fast).result()).isEqualTo("fast");
    } finally {
      slowGate.countDown();
    }
  }

  @Test
  void hubMethodsRunOffTheEventLoop() {
    try (TestHubClient c = connect()) {
      String name = (String) c.invokeAndAwait("threadName").result();
      assertThat(name).doesNotStartWith("jvmchat-io").doesNotStartWith("jvmchat-accept");
    }
  }

  @Test
  void unknownMessageTypesAndStrayMessagesAreIgnored() {
    try (TestHubClient c = connect()) {
      c.sendText("{\"type\":99,\"whatever\":[1,2]}\u001e");
      c.send(org.jvmchat.protocol.StreamItemMessage.of("no-such-stream", "x"));
      c.send(CompletionMessage.withResult("no-such-invocation", 1));
      c.send(new org.jvmchat.protocol.AckMessage(5));
      c.send(new org.jvmchat.protocol.SequenceMessage(5));
      c.sendText(
          "{\"type\":1,\"invocationId\":\"h\",\"target\":\"echo\",\"arguments\":[\"with"
              + " headers\"],\"headers\":{\"x\":\"y\"},\"extra\":true}\u001e");
      assertThat(c.awaitCompletion("h").result()).isEqualTo("with headers");
      assertThat(c.pending()).isEmpty();
    }
  }

  @Test
  void connectionStaysUsableAfterManyErrors() {
    try (TestHubClient c = connect()) {
      for (int i = 0; i < 20; i++) {
        c.invoke("fail", "x");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> c.pending().size() == 20);
      assertThat(c.invokeAndAwait("add", 2, 2).result()).isEqualTo(4);
    }
  }
}
