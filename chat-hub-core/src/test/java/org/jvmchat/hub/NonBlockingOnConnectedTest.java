package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.internal.dispatch.HubMethods;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.json.JsonHubProtocol;

/**
 * {@link Hub#onConnectedAsync}: marked {@link NonBlocking}, it runs on the connection's I/O thread
 * right after the handshake, and the connection's start (the handshake answer) and its invocations
 * wait for its stage; a failed stage closes the connection; unmarked, or behind a blocking filter,
 * it runs on the hub executor.
 */
class NonBlockingOnConnectedTest {
  static HubServer server;

  /** One entry per onConnectedAsync call: the thread it ran on and the stage it returned. */
  record Call(String thread, CompletableFuture<Void> stage) {}

  static final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  static final AtomicInteger parsed = new AtomicInteger();

  /** Its start completes when the test completes the recorded stage; then joins group "g". */
  public static class AsyncConnectHub extends Hub {
    @NonBlocking
    @Override
    public CompletionStage<Void> onConnectedAsync() {
      CompletableFuture<Void> stage = new CompletableFuture<>();
      calls.add(new Call(Thread.currentThread().getName(), stage));
      String id = context().connectionId();
      return stage.thenCompose(v -> groups().addToGroup(id, "g"));
    }

    public String echo(String text) {
      return text;
    }

    public void toGroup(String text) {
      clients().group("g").send("Group", text);
    }
  }

  /** The same, without the annotation. */
  public static class UnmarkedAsyncConnectHub extends AsyncConnectHub {
    @Override
    public CompletionStage<Void> onConnectedAsync() {
      return super.onConnectedAsync();
    }
  }

  public static class MarkedSyncOnConnectedHub extends Hub {
    @NonBlocking
    @Override
    public void onConnected() {}
  }

  static final class BlockingFilter implements HubFilter {}

  @BeforeAll
  static void start() {
    server =
        TestServers.start(
            HubServer.builder()
                .listener(
                    new ConnectionListener() {
                      @Override
                      public void messageReceived(String hubPath, String protocol) {
                        parsed.incrementAndGet();
                      }
                    })
                .hub("/hubs/async-connect", AsyncConnectHub::new)
                .hub("/hubs/unmarked", UnmarkedAsyncConnectHub::new)
                .hub(
                    HubMapping.builder("/hubs/blocking-filter", AsyncConnectHub::new)
                        .filter(new BlockingFilter())
                        .build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @BeforeEach
  void reset() {
    calls.clear();
  }

  static TestHubClient openAndSendHandshake(String path) {
    String hubUrl = TestServers.url(server, path);
    var n = TestHubClient.negotiate(hubUrl);
    TestHubClient c =
        TestHubClient.open(
            TestHubClient.wsUrl(hubUrl) + "?id=" + n.effectiveConnectionToken(),
            new JsonHubProtocol());
    c.sendHandshake("json", 1);
    return c;
  }

  static Call nextCall() throws InterruptedException {
    Call call = calls.poll(10, TimeUnit.SECONDS);
    assertThat(call).as("onConnectedAsync was called").isNotNull();
    return call;
  }

  @Test
  void aNonBlockingOnConnectedAsyncRunsOnTheIoThreadAndTheStartWaitsForItsStage() throws Exception {
    try (TestHubClient other = openAndSendHandshake("/hubs/async-connect")) {
      nextCall().stage().complete(null);
      assertThat(other.awaitHandshake().error()).isNull();
      try (TestHubClient c = openAndSendHandshake("/hubs/async-connect")) {
        Call call = nextCall();
        assertThat(call.thread()).startsWith("jvmchat-io");
        int before = parsed.get();
        String echo = c.invoke("echo", "first");
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(parsed.get()).isGreaterThan(before));
        // Neither the handshake answer nor the invocation's completion goes out before the stage
        // completed; a group message sent meanwhile does not reach the connection (not in "g").
        other.invokeAndAwait("toGroup", "before");
        assertThat(c.frames()).isEmpty();
        call.stage().complete(null);
        HandshakeResponse answer = c.awaitHandshake();
        assertThat(answer.error()).isNull();
        assertThat(c.awaitCompletion(echo).result()).isEqualTo("first");
        // The stage's continuation put it in "g" before the start was released.
        other.invokeAndAwait("toGroup", "after");
        assertThat(c.awaitInvocation("Group").arguments()).containsExactly("after");
        assertThat(c.invocationCount("Group")).isEqualTo(1);
      }
    }
  }

  @Test
  void aFailedStageClosesTheConnectionWithAnError() throws Exception {
    try (TestHubClient c = openAndSendHandshake("/hubs/async-connect")) {
      nextCall().stage().completeExceptionally(new IllegalStateException("no rooms"));
      CloseMessage close = c.awaitClose();
      assertThat(close.error()).isEqualTo("Connection closed with an error.");
      assertThat(close.allowReconnect()).isFalse();
    }
  }

  @Test
  void unmarkedItRunsOnTheHubExecutor() throws Exception {
    try (TestHubClient c = openAndSendHandshake("/hubs/unmarked")) {
      Call call = nextCall();
      assertThat(call.thread()).doesNotStartWith("jvmchat-io").doesNotStartWith("jvmchat-accept");
      call.stage().complete(null);
      assertThat(c.awaitHandshake().error()).isNull();
      assertThat(c.invokeAndAwait("echo", "x").result()).isEqualTo("x");
    }
  }

  @Test
  void aBlockingFilterKeepsItOnTheHubExecutor() throws Exception {
    try (TestHubClient c = openAndSendHandshake("/hubs/blocking-filter")) {
      Call call = nextCall();
      assertThat(call.thread()).doesNotStartWith("jvmchat-io").doesNotStartWith("jvmchat-accept");
      call.stage().complete(null);
      assertThat(c.awaitHandshake().error()).isNull();
    }
  }

  @Test
  void nonBlockingOnTheSynchronousOnConnectedIsRefusedAtMapping() {
    assertThatThrownBy(() -> HubMethods.of(MarkedSyncOnConnectedHub.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("onConnectedAsync");
  }
}
