package org.jvmchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.jvmchat.client.testing.FakeConnection;
import org.jvmchat.client.testing.Recorder;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** The hub API over WebSockets against the fake server. */
class WebSocketHubConnectionTest extends ClientTestSupport {

  private HubConnectionBuilder ws() {
    return builder().transports(HttpTransportType.WebSockets);
  }

  @Test
  void startsNegotiatesV1WithTokenAndInvokes() {
    AtomicInteger tokenCalls = new AtomicInteger();
    HubConnection c =
        started(
            ws().accessTokenProvider(() -> "token-" + tokenCalls.incrementAndGet())
                .header("X-App", "tour"));

    assertThat(c.state()).isEqualTo(HubConnectionState.Connected);
    FakeConnection server0 = server.connection(0);
    assertThat(c.connectionId()).isEqualTo(server0.id);
    assertThat(server0.transport()).isEqualTo(HttpTransportType.WebSockets);
    assertThat(server0.handshakeVersion()).isEqualTo(1);
    RecordedRequest negotiate = server.requests("POST", "/negotiate").get(0);
    assertThat(negotiate.getUrl().queryParameter("negotiateVersion")).isEqualTo("1");
    assertThat(negotiate.getUrl().queryParameter("useStatefulReconnect")).isNull();
    assertThat(negotiate.getHeaders().get("Authorization")).isEqualTo("Bearer token-1");
    assertThat(negotiate.getHeaders().get("X-App")).isEqualTo("tour");
    RecordedRequest upgrade = server.requests("GET", FakeHubServerPaths.HUB).get(0);
    assertThat(upgrade.getUrl().queryParameter("id")).isEqualTo(server0.token);
    assertThat(upgrade.getHeaders().get("Authorization")).isEqualTo("Bearer token-1");

    assertThat(join(c.invoke(String.class, "Echo", "hello"))).isEqualTo("hello");
    assertThat(join(c.invoke(Integer.class, "Add", 2, 40))).isEqualTo(42);
    assertThat(join(c.invoke(Void.class, "Broadcast", "x"))).isNull();
  }

  @Test
  void invokeBindsGenericResultsThroughATypeToken() {
    HubConnection c = started(ws());
    List<Map<String, Integer>> result =
        join(
            c.invoke(
                new TypeToken<List<Map<String, Integer>>>() {}, "Echo", List.of(Map.of("a", 1))));
    assertThat(result).containsExactly(Map.of("a", 1));
    assertThat(result.get(0).get("a")).isInstanceOf(Integer.class);
  }

  @Test
  void serverErrorFailsTheInvocationWithItsText() {
    HubConnection c = started(ws());
    assertThat(failure(c.invoke(Object.class, "Fail")))
        .isInstanceOf(HubException.class)
        .hasMessage("An unexpected error occurred invoking 'Fail' on the server.");
    assertThat(failure(c.invoke(Object.class, "Nope")))
        .isInstanceOf(HubException.class)
        .hasMessage("Unknown hub method 'Nope'");
    assertThat(c.state()).isEqualTo(HubConnectionState.Connected);
  }

  @Test
  void sendIsFireAndForgetAndHandlersReceiveBroadcasts() {
    HubConnection c = started(ws());
    List<String> got = new CopyOnWriteArrayList<>();
    Subscription sub = c.on("broadcasted", String.class, got::add);
    join(c.send("Broadcast", "one"));
    await().atMost(WAIT).until(() -> got.equals(List.of("one")));
    InvocationMessage sent =
        (InvocationMessage)
            server.connection(0).processed.stream()
                .filter(m -> m instanceof InvocationMessage)
                .findFirst()
                .orElseThrow();
    assertThat(sent.invocationId()).isNull();

    sub.close();
    join(c.invoke(Void.class, "Broadcast", "two"));
    assertThat(got).containsExactly("one");
  }

  @Test
  void handlersWithSeveralTypedParameters() {
    HubConnection c = started(ws());
    List<Object[]> got = new CopyOnWriteArrayList<>();
    c.on("Pair", got::add, String.class, Integer.class);
    server.connection(0).sendInvocation("Pair", "a", 7);
    await().atMost(WAIT).until(() -> got.size() == 1);
    assertThat(got.get(0)).containsExactly("a", 7);
    assertThatThrownBy(() -> c.on("pair", args -> {}, String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same parameter types");
  }

  @Test
  void serverToClientStreamDeliversItemsThenCompletes() {
    HubConnection c = started(ws());
    Recorder<Integer> r = new Recorder<>(Long.MAX_VALUE);
    c.stream(Integer.class, "Counter", 5, 5).subscribe(r);
    await().atMost(WAIT).until(() -> r.completed);
    assertThat(r.items).containsExactly(0, 1, 2, 3, 4);
    assertThat(r.error.get()).isNull();
  }

  @Test
  void streamRespectsDemand() {
    HubConnection c = started(ws());
    Recorder<Integer> r = new Recorder<>(2);
    c.stream(Integer.class, "Counter", 5, 1).subscribe(r);
    await().atMost(WAIT).until(() -> r.items.size() == 2);
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> r.items.size() == 2);
    r.subscription.request(10);
    await().atMost(WAIT).until(() -> r.completed);
    assertThat(r.items).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void cancellingAStreamSendsCancelInvocation() {
    HubConnection c = started(ws());
    Recorder<Integer> r = new Recorder<>(Long.MAX_VALUE);
    c.stream(Integer.class, "Counter", 10_000, 10).subscribe(r);
    await().atMost(WAIT).until(() -> r.items.size() >= 3);
    r.subscription.cancel();
    FakeConnection s = server.connection(0);
    await()
        .atMost(WAIT)
        .until(() -> s.processed.stream().anyMatch(m -> m instanceof CancelInvocationMessage));
    String streamId =
        s.processed.stream()
            .filter(m -> m instanceof StreamInvocationMessage)
            .map(m -> ((StreamInvocationMessage) m).invocationId())
            .findFirst()
            .orElseThrow();
    CancelInvocationMessage cancel =
        (CancelInvocationMessage)
            s.processed.stream()
                .filter(m -> m instanceof CancelInvocationMessage)
                .findFirst()
                .orElseThrow();
    assertThat(cancel.invocationId()).isEqualTo(streamId);
    int seen = r.items.size();
    await().during(Duration.ofMillis(150)).atMost(WAIT).until(() -> r.items.size() <= seen + 1);
    assertThat(r.terminated()).isFalse();
  }

  @Test
  void publisherArgumentsBecomeClientToServerStreams() {
    HubConnection c = started(ws());
    try (SubmissionPublisher<Integer> numbers = new SubmissionPublisher<>()) {
      CompletableFuture<Integer> sum = c.invoke(Integer.class, "Sum", numbers);
      await().atMost(WAIT).until(() -> numbers.getNumberOfSubscribers() == 1);
      for (int i = 1; i <= 10; i++) {
        numbers.submit(i);
      }
      numbers.close();
      assertThat(join(sum)).isEqualTo(55);
    }
    InvocationMessage call =
        (InvocationMessage)
            server.connection(0).processed.stream()
                .filter(m -> m instanceof InvocationMessage)
                .findFirst()
                .orElseThrow();
    assertThat(call.arguments()).isEmpty();
    assertThat(call.streamIds()).hasSize(1);
    assertThat(call.streamIds().get(0)).isNotEqualTo(call.invocationId());
  }

  @Test
  void failingUploadPublisherSendsAnErrorCompletion() {
    HubConnection c = started(ws());
    SubmissionPublisher<Integer> numbers = new SubmissionPublisher<>();
    CompletableFuture<Integer> sum = c.invoke(Integer.class, "Sum", numbers);
    await().atMost(WAIT).until(() -> numbers.getNumberOfSubscribers() == 1);
    numbers.submit(1);
    numbers.closeExceptionally(new IllegalStateException("source broke"));
    assertThat(failure(sum)).isInstanceOf(HubException.class).hasMessageContaining("source broke");
  }

  @Test
  void clientResultsAnswerTheServer() {
    HubConnection c = started(ws());
    c.onWithResult("Ask", args -> "answer to " + args[0], String.class);
    assertThat(join(c.invoke(String.class, "AskClient", "why"))).isEqualTo("answer to why");
  }

  @Test
  void asyncClientResultsAreAwaited() {
    HubConnection c = started(ws());
    c.onWithResult(
        "Ask", args -> CompletableFuture.supplyAsync(() -> "later " + args[0]), String.class);
    assertThat(join(c.invoke(String.class, "AskClient", "q"))).isEqualTo("later q");
  }

  @Test
  void clientResultRulesFollowTheJavaScriptClient() {
    HubConnection c = started(ws());
    assertThat(failure(c.invoke(String.class, "AskClient", "q")))
        .hasMessage("Client didn't provide a result.");

    Subscription thrower =
        c.onWithResult(
            "Ask",
            args -> {
              throw new IllegalStateException("boom");
            },
            String.class);
    assertThat(failure(c.invoke(String.class, "AskClient", "q")))
        .hasMessage("java.lang.IllegalStateException: boom");
    thrower.close();

    c.onWithResult("Ask", args -> "one", String.class);
    c.onWithResult("Ask", args -> "two", String.class);
    assertThat(failure(c.invoke(String.class, "AskClient", "q")))
        .hasMessage("Client provided multiple results.");
  }

  @Test
  void aSlowHandlerDoesNotBlockReadingOrResults() throws Exception {
    HubConnection c = started(ws());
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    List<String> threads = new CopyOnWriteArrayList<>();
    c.on(
        "Broadcasted",
        String.class,
        s -> {
          threads.add(Thread.currentThread().getName());
          entered.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    join(c.send("Broadcast", "block"));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // The handler lane is blocked; replies still arrive and complete on the result lane.
    assertThat(join(c.invoke(String.class, "Echo", "still reading"))).isEqualTo("still reading");
    release.countDown();
    assertThat(threads.get(0)).startsWith("jvmchat-client-").contains("-callbacks-");
  }

  @Test
  void handshakeErrorFailsStart() {
    server.handshakeError = "The protocol 'json' is not supported.";
    HubConnection c = track(ws().build());
    assertThat(failure(c.start()))
        .isInstanceOf(HubConnectionException.class)
        .hasMessage("Server returned handshake error: The protocol 'json' is not supported.");
    await().atMost(WAIT).until(() -> c.state() == HubConnectionState.Disconnected);
  }

  @Test
  void handshakeTimeoutFailsStart() {
    server.answerHandshake = false;
    HubConnection c = track(ws().handshakeTimeout(Duration.ofMillis(300)).build());
    assertThat(failure(c.start()))
        .hasMessageContaining("did not complete the handshake within 300 ms");
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }

  @Test
  void startTwiceIsRefusedAndInvokeNeedsAConnection() {
    HubConnection c = track(ws().build());
    assertThat(failure(c.invoke(String.class, "Echo", "x")))
        .hasMessage("Cannot send data if the connection is not in the 'Connected' State.");
    join(c.start());
    assertThat(failure(c.start())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stopSendsCloseAndFailsPendingInvocations() {
    HubConnection c = started(ws());
    List<Throwable> closes = new CopyOnWriteArrayList<>();
    AtomicInteger closeCalls = new AtomicInteger();
    c.onClose(
        e -> {
          closeCalls.incrementAndGet();
          if (e != null) {
            closes.add(e);
          }
        });
    c.onWithResult("Ask", args -> new CompletableFuture<>(), String.class); // never answers
    CompletableFuture<String> pending = c.invoke(String.class, "AskClient", "q");
    FakeConnection s = server.connection(0);
    await().atMost(WAIT).until(() -> s.processed.size() >= 2);
    join(c.stop());
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
    assertThat(c.connectionId()).isNull();
    assertThat(failure(pending)).isInstanceOf(HubConnectionException.class);
    assertThat(closeCalls.get()).isEqualTo(1);
    assertThat(closes).isEmpty();
    assertThat(s.processed).anyMatch(m -> m instanceof CloseMessage);
    join(c.stop()); // idempotent
  }

  @Test
  void keepAlivePingsAreSent() {
    started(ws().keepAliveInterval(Duration.ofMillis(100)));
    FakeConnection s = server.connection(0);
    await()
        .atMost(WAIT)
        .until(() -> s.received.stream().filter(m -> m == PingMessage.INSTANCE).count() >= 3);
  }

  @Test
  void serverTimeoutClosesTheConnection() {
    HubConnection c = track(ws().serverTimeout(Duration.ofMillis(400)).build());
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    c.onClose(closed::complete);
    join(c.start());
    assertThat(join(closed))
        .isInstanceOf(HubConnectionException.class)
        .hasMessage("Server timeout elapsed without receiving a message from the server.");
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }

  @Test
  void skipNegotiationConnectsTheWebSocketDirectly() {
    HubConnection c = started(ws().skipNegotiation(true));
    assertThat(server.requests("POST", "/negotiate")).isEmpty();
    assertThat(c.connectionId()).isNull();
    assertThat(join(c.invoke(String.class, "Echo", "direct"))).isEqualTo("direct");
  }

  @Test
  void skipNegotiationNeedsWebSocketsOnly() {
    assertThatThrownBy(() -> builder().skipNegotiation(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Negotiation can only be skipped");
  }

  @Test
  void serverCloseWithoutAllowReconnectEndsTheConnectionEvenWithAPolicy() {
    HubConnection c = started(ws().withAutomaticReconnect());
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    AtomicInteger reconnecting = new AtomicInteger();
    c.onClose(closed::complete);
    c.onReconnecting(e -> reconnecting.incrementAndGet());
    server.connection(0).close(new CloseMessage("boom", false));
    assertThat(join(closed))
        .isInstanceOf(HubException.class)
        .hasMessage("Server returned an error on close: boom");
    assertThat(reconnecting.get()).isZero();
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }

  @Test
  void serverCloseWithAllowReconnectReconnectsWithANewConnection() {
    HubConnection c = started(ws().withAutomaticReconnect());
    CompletableFuture<Throwable> reconnecting = new CompletableFuture<>();
    CompletableFuture<String> reconnected = new CompletableFuture<>();
    c.onReconnecting(reconnecting::complete);
    c.onReconnected(reconnected::complete);
    String first = c.connectionId();
    server.connection(0).close(new CloseMessage("Connection closed with an error.", true));
    assertThat(join(reconnecting)).hasMessageContaining("Connection closed with an error.");
    String second = join(reconnected);
    assertThat(second).isNotEqualTo(first).isEqualTo(server.connection(1).id);
    assertThat(c.state()).isEqualTo(HubConnectionState.Connected);
    assertThat(join(c.invoke(String.class, "Echo", "again"))).isEqualTo("again");
  }

  @Test
  void droppedSocketReconnectsAutomatically() {
    HubConnection c = started(ws().withAutomaticReconnect());
    List<HubConnectionState> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<String> reconnected = new CompletableFuture<>();
    c.onReconnecting(e -> seen.add(c.state()));
    c.onReconnected(reconnected::complete);
    server.connection(0).dropSocket();
    assertThat(join(reconnected)).isEqualTo(server.connection(1).id);
    assertThat(seen).containsExactly(HubConnectionState.Reconnecting);
    assertThat(server.requests("POST", "/negotiate")).hasSize(2);
    assertThat(join(c.invoke(Integer.class, "Add", 1, 1))).isEqualTo(2);
  }

  @Test
  void withoutAPolicyADropClosesTheConnection() {
    HubConnection c = started(ws());
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    c.onClose(closed::complete);
    server.connection(0).dropSocket();
    assertThat(join(closed)).isInstanceOf(HubConnectionException.class);
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }

  @Test
  void reconnectGivesUpWhenThePolicySaysSo() {
    List<RetryContext> contexts = new CopyOnWriteArrayList<>();
    HubConnection c =
        started(
            ws().withAutomaticReconnect(
                    ctx -> {
                      contexts.add(ctx);
                      return ctx.previousRetryCount() < 2 ? Duration.ofMillis(20) : null;
                    }));
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    c.onClose(closed::complete);
    server.negotiateOverride = r -> new mockwebserver3.MockResponse.Builder().code(503).build();
    server.connection(0).dropSocket();
    assertThat(join(closed)).hasMessageContaining("status code 503");
    assertThat(contexts).extracting(RetryContext::previousRetryCount).containsExactly(0L, 1L, 2L);
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }

  @Test
  void stopDuringReconnectEndsIt() {
    HubConnection c = started(ws().withAutomaticReconnect(Duration.ofSeconds(30)));
    CompletableFuture<Throwable> reconnecting = new CompletableFuture<>();
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    c.onReconnecting(reconnecting::complete);
    c.onClose(closed::complete);
    server.connection(0).dropSocket();
    join(reconnecting);
    join(c.stop());
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
    assertThat(closed).isCompleted();
  }

  static final class FakeHubServerPaths {
    static final String HUB = org.jvmchat.client.testing.FakeHubServer.HUB_PATH;
  }

  static boolean isPing(HubMessage m) {
    return m == PingMessage.INSTANCE;
  }
}
