package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.TestHubClient.HttpResult;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/** Stateful reconnect at the protocol level (SIGNALR.md §5), with a raw client. */
class StatefulReconnectTest {
  static HubServer server;
  static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  static final ConcurrentLinkedQueue<String> recorded = new ConcurrentLinkedQueue<>();

  public static class StatefulHub extends Hub {
    public String echo(String s) {
      return s;
    }

    public void record(String s) {
      recorded.add(s);
    }

    @Override
    public void onConnected() {
      events.add("connected:" + context().connectionId());
    }

    @Override
    public void onDisconnected(Throwable error) {
      events.add("disconnected:" + context().connectionId());
    }
  }

  @BeforeAll
  static void start() {
    HubOptions stateful =
        HubOptions.builder()
            .allowStatefulReconnects(true)
            .disconnectTimeout(Duration.ofSeconds(5))
            .build();
    server =
        TestServers.start(
            HubServer.builder()
                .hub("/hubs/stateful", StatefulHub::new, stateful)
                .hub(
                    "/hubs/tiny",
                    StatefulHub::new,
                    stateful.toBuilder().statefulReconnectBufferSize(1000).build())
                .hub(
                    "/hubs/noack",
                    StatefulHub::new,
                    stateful.toBuilder()
                        .statefulReconnectBufferSize(1000)
                        .outboundBufferLimit(4096)
                        .build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @BeforeEach
  void clear() {
    events.clear();
    recorded.clear();
  }

  /** A connected stateful client and the URL that resumes it. */
  record Session(TestHubClient client, String resumeUrl, String connectionId) {}

  static Session connect(String path) {
    String hub = TestServers.url(server, path);
    HttpResult r =
        TestHubClient.post(hub + "/negotiate?negotiateVersion=1&useStatefulReconnect=true", "");
    NegotiateResponse n = NegotiateResponse.parse(r.body().getBytes(StandardCharsets.UTF_8));
    assertThat(n.useStatefulReconnect()).isTrue();
    String url = TestHubClient.wsUrl(hub) + "?id=" + n.connectionToken();
    TestHubClient c = TestHubClient.open(url, new JsonHubProtocol());
    c.handshake("json", 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.contains("connected:" + n.connectionId()));
    return new Session(c, url, n.connectionId());
  }

  static void sendFromServer(String path, String connectionId, Object arg) {
    server.hubContext(path).clients().client(connectionId).send("n", arg).join();
  }

  static List<HubMessage> awaitTrackable(TestHubClient c, int count) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                c.history().stream()
                        .filter(m -> !(m instanceof PingMessage) && !(m instanceof AckMessage))
                        .count()
                    >= count);
    return c.history().stream()
        .filter(m -> !(m instanceof PingMessage) && !(m instanceof AckMessage))
        .toList();
  }

  static Object arg(HubMessage m) {
    assertThat(m).isInstanceOf(InvocationMessage.class);
    return ((InvocationMessage) m).arguments().get(0);
  }

  @Test
  void reconnectReplaysEveryUnacknowledgedMessageAfterASequence() {
    Session s = connect("/hubs/stateful");
    sendFromServer("/hubs/stateful", s.connectionId(), 1);
    sendFromServer("/hubs/stateful", s.connectionId(), 2);
    awaitTrackable(s.client(), 2);
    s.client().cancel();
    sendFromServer("/hubs/stateful", s.connectionId(), 3);
    sendFromServer("/hubs/stateful", s.connectionId(), 4);

    try (TestHubClient resumed = TestHubClient.resume(s.resumeUrl(), new JsonHubProtocol())) {
      List<HubMessage> got = awaitTrackable(resumed, 5);
      assertThat(got.get(0)).isEqualTo(new SequenceMessage(1));
      assertThat(got.subList(1, 5))
          .extracting(StatefulReconnectTest::arg)
          .containsExactly(1, 2, 3, 4);
      // Same connection: invocations keep working, no second onConnected.
      resumed.send(new SequenceMessage(1));
      assertThat(resumed.invokeAndAwait("echo", "resumed").result()).isEqualTo("resumed");
      assertThat(events.stream().filter(e -> e.endsWith(s.connectionId())))
          .containsExactly("connected:" + s.connectionId());
    }
  }

  @Test
  void reconnectWhileTheServerStillThinksTheOldSocketIsAliveTakesOver() {
    // Several rounds: the old and new sockets sometimes share an event loop, sometimes not.
    for (int round = 0; round < 8; round++) {
      Session s = connect("/hubs/stateful");
      sendFromServer("/hubs/stateful", s.connectionId(), "before");
      awaitTrackable(s.client(), 1);
      try (TestHubClient resumed = TestHubClient.resume(s.resumeUrl(), new JsonHubProtocol())) {
        List<HubMessage> got = awaitTrackable(resumed, 2);
        assertThat(got.get(0)).isEqualTo(new SequenceMessage(1));
        assertThat(arg(got.get(1))).isEqualTo("before");
        resumed.send(new SequenceMessage(1));
        assertThat(resumed.invokeAndAwait("echo", "round " + round).result())
            .as("round %d", round)
            .isEqualTo("round " + round);
        assertThat(events).doesNotContain("disconnected:" + s.connectionId());
      }
      s.client().cancel();
    }
  }

  @Test
  void ackFreesMessagesSoOnlyNewerOnesAreReplayed() {
    Session s = connect("/hubs/stateful");
    sendFromServer("/hubs/stateful", s.connectionId(), 1);
    sendFromServer("/hubs/stateful", s.connectionId(), 2);
    awaitTrackable(s.client(), 2);
    s.client().send(new AckMessage(2));
    // Processed in order: once this is answered (server message 3), the Ack has been applied.
    CompletionMessage sync = s.client().invokeAndAwait("echo", "sync");
    s.client().cancel();
    sendFromServer("/hubs/stateful", s.connectionId(), 4);

    try (TestHubClient resumed = TestHubClient.resume(s.resumeUrl(), new JsonHubProtocol())) {
      List<HubMessage> got = awaitTrackable(resumed, 3);
      assertThat(got.get(0)).isEqualTo(new SequenceMessage(3));
      assertThat(got.get(1)).isEqualTo(sync);
      assertThat(arg(got.get(2))).isEqualTo(4);
      // Nothing else is replayed.
      resumed.send(new SequenceMessage(2));
      resumed.invokeAndAwait("echo", "x");
      assertThat(awaitTrackable(resumed, 4)).hasSize(4);
    }
  }

  @Test
  void messagesReplayedByTheClientAreNotDispatchedTwice() {
    Session s = connect("/hubs/stateful");
    s.client().sendInvocation("record", "first");
    await().atMost(Duration.ofSeconds(10)).until(() -> recorded.contains("first"));
    s.client().cancel();

    try (TestHubClient resumed = TestHubClient.resume(s.resumeUrl(), new JsonHubProtocol())) {
      resumed.send(new SequenceMessage(1));
      resumed.sendInvocation("record", "first"); // id 1 again: a duplicate
      resumed.sendInvocation("record", "second"); // id 2: new
      resumed.invokeAndAwait("echo", "sync");
      assertThat(recorded).containsExactly("first", "second");
    }
  }

  @Test
  void aSequenceBeyondWhatTheServerReceivedIsAProtocolError() {
    Session s = connect("/hubs/stateful");
    s.client().cancel();
    try (TestHubClient resumed = TestHubClient.resume(s.resumeUrl(), new JsonHubProtocol())) {
      resumed.send(new SequenceMessage(99));
      org.jvmchat.protocol.CloseMessage close = resumed.awaitClose();
      // As ASP.NET Core without EnableDetailedErrors: the reason stays in the server's log.
      assertThat(close.error()).isEqualTo("Connection closed with an error.");
    }
  }

  @Test
  void theServerAcknowledgesWhatItReceived() {
    Session s = connect("/hubs/stateful");
    s.client().sendInvocation("record", "a");
    s.client().sendInvocation("record", "b");
    AckMessage ack =
        (AckMessage)
            s.client()
                .awaitMessage(
                    m -> m instanceof AckMessage a && a.sequenceId() == 2, Duration.ofSeconds(10));
    assertThat(ack.sequenceId()).isEqualTo(2);
    s.client().close();
  }

  @Test
  void overflowingTheReplayBufferWhileDisconnectedEndsTheConnection() {
    Session s = connect("/hubs/tiny");
    s.client().cancel();
    String payload = "z".repeat(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              sendFromServer("/hubs/tiny", s.connectionId(), payload);
              return events.contains("disconnected:" + s.connectionId());
            });
    assertThatThrownBy(() -> TestHubClient.resume(s.resumeUrl(), new JsonHubProtocol()))
        .hasStackTraceContaining("404");
  }

  /** The JSON frame of {@code n(payload)} as the server sends it. */
  static int invocationBytes(String payload) {
    return new JsonHubProtocol()
        .toBytes(InvocationMessage.send("n", new Object[] {payload}))
        .length;
  }

  static long receivedInvocations(TestHubClient c) {
    return c.history().stream().filter(m -> m instanceof InvocationMessage).count();
  }

  @Test
  void aConnectedClientThatNeverAcknowledgesGetsNoMoreThanTheBufferAndIsThenClosed() {
    Session s = connect("/hubs/noack");
    String payload = "z".repeat(200);
    int perMessage = invocationBytes(payload);
    // 1000 unacknowledged bytes at most: the first message always goes, then while it fits.
    long allowed = Math.max(1, 1000 / perMessage);
    for (int i = 0; i < allowed + 1; i++) {
      sendFromServer("/hubs/noack", s.connectionId(), payload);
    }
    // The replay buffer is full: the next message waits for an Ack that never comes.
    await().atMost(Duration.ofSeconds(10)).until(() -> receivedInvocations(s.client()) >= allowed);
    for (int i = 0; i < 40 && !s.client().isSocketClosed(); i++) {
      sendFromServer("/hubs/noack", s.connectionId(), payload);
    }
    org.jvmchat.protocol.CloseMessage close = s.client().awaitClose();
    assertThat(close.error())
        .isEqualTo(
            "Connection closed with an error. The client did not acknowledge the messages it"
                + " received (stateful reconnect buffer full).");
    assertThat(receivedInvocations(s.client())).isEqualTo(allowed);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.contains("disconnected:" + s.connectionId()));
  }

  @Test
  void messagesHeldBackForAFullReplayBufferGoOutOnceAcknowledged() {
    Session s = connect("/hubs/noack");
    String payload = "y".repeat(200);
    long perWindow = Math.max(1, 1000 / invocationBytes(payload));
    for (int i = 0; i < 12; i++) {
      sendFromServer("/hubs/noack", s.connectionId(), payload + i);
    }
    // Only a buffer's worth is written until the client acknowledges; each Ack lets more out.
    long acked = 0;
    while (acked < 12) {
      long window = acked + perWindow;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> receivedInvocations(s.client()) >= Math.min(12, window));
      acked = receivedInvocations(s.client());
      assertThat(acked).isLessThanOrEqualTo(window);
      s.client().send(new AckMessage(acked));
    }
    List<HubMessage> got = awaitTrackable(s.client(), 12);
    assertThat(got).extracting(StatefulReconnectTest::arg).hasSize(12);
    for (int i = 0; i < 12; i++) {
      assertThat(arg(got.get(i))).isEqualTo(payload + i);
    }
    assertThat(s.client().isSocketClosed()).isFalse();
    s.client().close();
  }

  @Test
  void handshakeVersion1DisablesStatefulReconnect() {
    String hub = TestServers.url(server, "/hubs/stateful");
    HttpResult r =
        TestHubClient.post(hub + "/negotiate?negotiateVersion=1&useStatefulReconnect=true", "");
    NegotiateResponse n = NegotiateResponse.parse(r.body().getBytes(StandardCharsets.UTF_8));
    String url = TestHubClient.wsUrl(hub) + "?id=" + n.connectionToken();
    TestHubClient c = TestHubClient.open(url, new JsonHubProtocol());
    c.handshake("json", 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.contains("connected:" + n.connectionId()));
    c.cancel();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.contains("disconnected:" + n.connectionId()));
    assertThatThrownBy(() -> TestHubClient.resume(url, new JsonHubProtocol()))
        .hasStackTraceContaining("404");
  }
}
