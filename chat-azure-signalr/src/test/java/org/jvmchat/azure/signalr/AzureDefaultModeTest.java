package org.jvmchat.azure.signalr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.azure.signalr.fake.FakeAzureSignalRService;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.HubUser;
import org.jvmchat.testing.NodeTests;

/**
 * Default mode end to end: two app servers (each with its own server connections) behind the fake
 * service, and the official {@code @microsoft/signalr} client (JSON and MessagePack) negotiating at
 * an app server, following the redirect to the service and calling hub methods whose every send,
 * group change and client result crosses the service.
 */
class AzureDefaultModeTest {
  static final String KEY =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh"; // 44 chars, like Azure's

  FakeAzureSignalRService service;
  AzureSignalR azure1;
  AzureSignalR azure2;
  HubServer app1;
  HubServer app2;

  @BeforeEach
  void start() throws Exception {
    service = new FakeAzureSignalRService(KEY).start();
    azure1 = AzureSignalR.create(options("app-1"));
    azure2 = AzureSignalR.create(options("app-2"));
    app1 = server(azure1);
    app2 = server(azure2);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(service.readyServerConnections("relay")).isEqualTo(4));
  }

  private AzureSignalROptions options(String serverId) {
    return AzureSignalROptions.builder(service.connectionString())
        .connectionCount(2)
        .serverId(serverId)
        .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(500))
        .shutdownTimeout(Duration.ofSeconds(2))
        .build();
  }

  private static HubServer server(AzureSignalR azure) {
    return HubServer.builder()
        .host("127.0.0.1")
        .port(0)
        .hub("/hubs/relay", RelayTestHub::new)
        .authenticator(
            r ->
                r.query("user") == null
                    ? null
                    : new HubUser(r.query("user"), r.query("user"), Map.of("role", "tester")))
        .lifetimeManagerFactory(azure.lifetimeManagerFactory())
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {app1, app2, azure1, azure2, service}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void theOfficialClientWorksThroughTheServiceInJsonAndMessagePack() throws Exception {
    NodeTests.run(
        Path.of("src", "test", "node", "azure-default-mode.test.mjs").toAbsolutePath(),
        Map.of(
            "APP1_URL", "http://127.0.0.1:" + app1.port(),
            "APP2_URL", "http://127.0.0.1:" + app2.port()),
        Duration.ofSeconds(120));
    assertThat(service.refusedTokens()).isZero();
    assertThat(service.log()).anyMatch(l -> l.contains("routed to"));
  }

  @Test
  void aServerConnectionThatDropsIsReconnectedAndReadinessFollows() {
    assertThat(azure1.status().connected()).isTrue();
    service.dropServerConnections("relay");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(service.readyServerConnections("relay")).isEqualTo(4));
    assertThat(azure1.status().connected()).isTrue();
    assertThat(azure1.status().detail()).contains("2/2 server connections up");
    // keep-alive pings flow while idle (every 5 s by default, so within the wait above or the next)
    await()
        .atMost(Duration.ofSeconds(12))
        .untilAsserted(() -> assertThat(service.keepAlivesReceived()).isPositive());
  }

  @Test
  void withoutTheServiceTheServerIsNotReadyAndRetries() throws Exception {
    service.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(azure1.status().connected()).isFalse());
    assertThat(azure1.status().detail()).contains("0/2 server connections up");
  }

  @Test
  void aWrongAccessKeyIsRefusedAndReported() {
    AzureSignalR wrong =
        AzureSignalR.create(
            AzureSignalROptions.builder(
                    service.connectionString().replace(KEY, KEY.replace('A', 'B')))
                .connectionCount(1)
                .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(200))
                .build());
    try (HubServer app = server(wrong)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(service.refusedTokens()).isPositive());
      assertThat(wrong.status().connected()).isFalse();
      assertThat(wrong.status().detail()).contains("0/1");
    } finally {
      wrong.close();
    }
  }

  @Test
  void aGracefulStopTellsTheServiceFirst() {
    app1.close();
    assertThat(service.log()).anyMatch(l -> l.equals("server app-1 offline"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(service.readyServerConnections("relay")).isEqualTo(2));
  }
}
