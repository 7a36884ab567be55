package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.PingMessage;

/**
 * No connection has a timer of its own: keep-alive pings and the client timeout of every connection
 * come from the heartbeat, one task per event loop walking its connections (issue #19). With many
 * connections on the same loops, each still gets its pings, and each silent one is closed once its
 * own timeout passed, within about one heartbeat period of it.
 */
class HeartbeatSweepTest {
  static final Duration KEEP_ALIVE = Duration.ofMillis(600);
  static final Duration CLIENT_TIMEOUT = Duration.ofMillis(1800);
  // The heartbeat period for these options: a third of the keep-alive (HubRuntime).
  static final Duration SWEEP = Duration.ofMillis(200);
  // Scheduling on a shared two-core build machine: far more than the sweep, far less than a
  // second timeout period.
  static final Duration SLACK = Duration.ofSeconds(4);

  static HubServer server;

  public static class SweepHub extends Hub {
    public String echo(String s) {
      return s;
    }
  }

  @BeforeAll
  static void start() {
    server =
        TestServers.start(
            HubServer.builder()
                .hub(
                    "/hubs/sweep",
                    SweepHub::new,
                    HubOptions.builder()
                        .keepAliveInterval(KEEP_ALIVE)
                        .clientTimeout(CLIENT_TIMEOUT)
                        .build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @Test
  void silentClientsAreClosedAfterTheirTimeoutWithinASweepAndPingingClientsKeepGettingPings() {
    String url = TestServers.url(server, "/hubs/sweep");
    List<TestHubClient> pinging = new ArrayList<>();
    List<TestHubClient> silent = new ArrayList<>();
    ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < 8; i++) {
        pinging.add(TestHubClient.connect(url));
        silent.add(TestHubClient.connect(url));
      }
      pinger.scheduleAtFixedRate(
          () -> pinging.forEach(c -> c.send(PingMessage.INSTANCE)), 0, 300, TimeUnit.MILLISECONDS);
      // The client timeout starts with the first Ping a client sends (as ASP.NET Core's).
      long[] silentSince = new long[silent.size()];
      for (int i = 0; i < silent.size(); i++) {
        silent.get(i).send(PingMessage.INSTANCE);
        silentSince[i] = System.nanoTime();
      }

      for (int i = 0; i < silent.size(); i++) {
        CloseMessage close = silent.get(i).awaitClose();
        long silentMillis = (System.nanoTime() - silentSince[i]) / 1_000_000;
        assertThat(close.error()).isEqualTo("Connection closed with an error.");
        assertThat(close.allowReconnect()).isTrue();
        // Never before its own timeout; found by the sweep soon after it.
        assertThat(silentMillis)
            .isGreaterThanOrEqualTo(CLIENT_TIMEOUT.toMillis())
            .isLessThanOrEqualTo(CLIENT_TIMEOUT.plus(SWEEP).plus(SLACK).toMillis());
      }

      // Meanwhile (at least the client timeout, three keep-alive intervals) every pinging client
      // got pings, and none was closed.
      for (TestHubClient c : pinging) {
        for (int n = 0; n < 2; n++) {
          c.awaitMessage(PingMessage.class);
        }
        assertThat(c.pending()).noneMatch(m -> m instanceof CloseMessage);
        assertThat(c.invokeAndAwait("echo", "alive").result()).isEqualTo("alive");
      }
    } finally {
      pinger.shutdownNow();
      pinging.forEach(TestHubClient::close);
      silent.forEach(TestHubClient::close);
    }
  }
}
