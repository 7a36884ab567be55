package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/** Keep-alive, client timeout, protocol errors, slow consumers, graceful stop (SIGNALR.md §6). */
class ConnectionLifeTest {
  static HubServer server;
  static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

  public static class LifeHub extends Hub {
    public String echo(String s) {
      return s;
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
    server =
        TestServers.start(
            HubServer.builder()
                .hub(
                    "/hubs/pings",
                    LifeHub::new,
                    HubOptions.builder().keepAliveInterval(Duration.ofMillis(500)).build())
                .hub(
                    "/hubs/timeout",
                    LifeHub::new,
                    HubOptions.builder().clientTimeout(Duration.ofMillis(1500)).build())
                .hub("/hubs/small", LifeHub::new, HubOptions.builder().maxMessageSize(1024).build())
                .hub(
                    "/hubs/slow",
                    LifeHub::new,
                    HubOptions.builder().outboundBufferLimit(256 * 1024).build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  static String url(String path) {
    return TestServers.url(server, path);
  }

  @Test
  void serverPingsAtTheKeepAliveInterval() {
    try (TestHubClient c = TestHubClient.connect(url("/hubs/pings"))) {
      c.awaitMessage(PingMessage.class);
      c.awaitMessage(PingMessage.class);
      assertThat(c.invokeAndAwait("echo", "alive").result()).isEqualTo("alive");
    }
  }

  @Test
  void clientTimeoutClosesAfterTheFirstPingThenSilence() {
    try (TestHubClient c = TestHubClient.connect(url("/hubs/timeout"))) {
      c.send(PingMessage.INSTANCE);
      CloseMessage close = c.awaitClose();
      assertThat(close.error()).isEqualTo("Connection closed with an error.");
      assertThat(close.allowReconnect()).isTrue();
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void aClientThatKeepsPingingIsNotTimedOut() {
    try (TestHubClient c = TestHubClient.connect(url("/hubs/timeout"))) {
      java.util.concurrent.ScheduledExecutorService pinger =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      try {
        pinger.scheduleAtFixedRate(
            () -> c.send(PingMessage.INSTANCE), 0, 300, java.util.concurrent.TimeUnit.MILLISECONDS);
        // Twice the client timeout (1.5 s) with pings every 300 ms: the connection stays open.
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(5))
            .until(() -> c.pending().stream().noneMatch(m -> m instanceof CloseMessage));
        assertThat(c.invokeAndAwait("echo", "alive").result()).isEqualTo("alive");
      } finally {
        pinger.shutdownNow();
      }
    }
  }

  @Test
  void garbageJsonClosesOnlyThatConnectionWithAReadableError() {
    try (TestHubClient bad = TestHubClient.connect(url("/hubs/small"));
        TestHubClient good = TestHubClient.connect(url("/hubs/small"))) {
      bad.sendText("{\"type\":1,\"target\":\u001e");
      CloseMessage close = bad.awaitClose();
      assertThat(close.error()).startsWith("Connection closed with an error.");
      assertThat(close.allowReconnect()).isTrue();
      assertThat(bad.awaitSocketClosed()).isIn(1000, -1);
      assertThat(good.invokeAndAwait("echo", "unaffected").result()).isEqualTo("unaffected");
    }
  }

  @Test
  void messageOverTheMaximumSizeClosesTheConnection() {
    try (TestHubClient bad = TestHubClient.connect(url("/hubs/small"));
        TestHubClient good = TestHubClient.connect(url("/hubs/small"))) {
      bad.invoke("echo", "x".repeat(2000));
      CloseMessage close = bad.awaitClose();
      // As ASP.NET Core without EnableDetailedErrors: the reason stays in the server's log.
      assertThat(close.error()).isEqualTo("Connection closed with an error.");
      assertThat(close.allowReconnect()).isTrue();
      assertThat(good.invokeAndAwait("echo", "unaffected").result()).isEqualTo("unaffected");
    }
  }

  @Test
  void messageOverTheMaximumSizeSplitAcrossFramesIsRefusedToo() {
    try (TestHubClient bad = TestHubClient.connect(url("/hubs/small"))) {
      bad.sendText("{\"type\":1,\"target\":\"echo\",\"arguments\":[\"");
      for (int i = 0; i < 4; i++) {
        bad.sendText("y".repeat(500));
      }
      CloseMessage close = bad.awaitClose();
      assertThat(close.error()).isEqualTo("Connection closed with an error.");
      assertThat(close.allowReconnect()).isTrue();
    }
  }

  @Test
  void slowConsumerIsClosedWhileOthersGetEverything() throws Exception {
    String hub = url("/hubs/slow");
    NegotiateResponse n = TestHubClient.negotiate(hub);
    try (TestHubClient good = TestHubClient.connect(hub);
        RawWebSocket slow =
            new RawWebSocket(server.port(), "/hubs/slow?id=" + n.connectionToken(), 4096)) {
      assertThat(slow.upgradeResponse()).startsWith("HTTP/1.1 101");
      slow.sendText("{\"protocol\":\"json\",\"version\":1}\u001e");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> events.contains("connected:" + n.connectionId()));
      good.invokeAndAwait("echo", "registered");

      HubClients clients = server.hubContext("/hubs/slow").clients();
      String payload = "p".repeat(4096);
      int sent = 0;
      int maxBatches = 2000; // 2000 x 8 x 4 KiB = 64 MiB: far beyond any socket buffer
      for (int batch = 0;
          batch < maxBatches && !events.contains("disconnected:" + n.connectionId());
          batch++) {
        for (int i = 0; i < 8; i++) {
          clients.all().send("tick", sent++, payload).join();
        }
        int expected = sent;
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> good.invocationCount("tick") == expected);
      }
      assertThat(events).contains("disconnected:" + n.connectionId());
      System.out.println("slow consumer closed after " + sent + " broadcasts");
      // Closed well before all that data piled up: the server did not buffer it.
      assertThat(sent).isLessThan(maxBatches * 8);
      List<Object> ticks =
          good.history().stream()
              .filter(m -> m instanceof InvocationMessage i && i.target().equals("tick"))
              .map(m -> ((InvocationMessage) m).arguments().get(0))
              .toList();
      assertThat(ticks).hasSize(sent);
      for (int i = 0; i < sent; i++) {
        assertThat(ticks.get(i)).isEqualTo(i);
      }
      assertThat(good.invokeAndAwait("echo", "still here").result()).isEqualTo("still here");
    }
  }

  @Test
  void gracefulStopSendsCloseWithAllowReconnect() {
    HubServer own = TestServers.start(HubServer.builder().hub("/hubs/own", LifeHub::new));
    TestHubClient c = TestHubClient.connect(TestServers.url(own, "/hubs/own"));
    try {
      c.invokeAndAwait("echo", "before");
      own.stop(Duration.ofSeconds(2));
      CloseMessage close = c.awaitClose();
      assertThat(close.error()).isNull();
      assertThat(close.allowReconnect()).isTrue();
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    } finally {
      c.close();
      own.stop(Duration.ZERO);
    }
  }
}
