package org.jvmchat.server.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.azure.signalr.fake.FakeAzureSignalRService;
import org.jvmchat.persistence.InMemoryChatStore;
import org.jvmchat.server.ChatServer;
import org.jvmchat.server.backplane.ScaleoutMode;
import org.jvmchat.server.backplane.ScaleoutModes;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.SettingsException;
import org.jvmchat.server.config.SettingsLoader;
import org.jvmchat.testing.NodeTests;

/**
 * The chat server with {@code AZURE_SIGNALR_CONNECTION}: two instances behind the fake service (no
 * Redis), the official client joins rooms and chats across them; readiness follows the server
 * connections.
 */
class AzureDefaultModeChatTest {
  static final String KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh";
  static final String JWT = "a-jwt-secret-that-is-long-enough-for-hs256";

  FakeAzureSignalRService service;
  ChatServer one;
  ChatServer two;
  InMemoryChatStore store = new InMemoryChatStore();
  final java.util.List<ScaleoutMode> modes = new java.util.ArrayList<>();

  @AfterEach
  void stop() {
    if (one != null) {
      one.stop(Duration.ofSeconds(2));
    }
    if (two != null) {
      two.stop(Duration.ofSeconds(2));
    }
    modes.forEach(ScaleoutMode::close);
    if (service != null) {
      service.close();
    }
    store.close();
  }

  private ChatServer start(ChatSettings settings) {
    ScaleoutMode mode = ScaleoutModes.standard().create(settings);
    assertThat(mode.name()).isEqualTo("azure-signalr");
    modes.add(mode);
    return new ChatServer(settings, store, mode).start();
  }

  private ChatSettings settings() {
    return SettingsLoader.load(
            Map.of("PORT", "0", "AZURE_SIGNALR_CONNECTION", service.connectionString()))
        .toBuilder()
        .host("127.0.0.1")
        .jwtSecret(JWT)
        .shutdownGrace(Duration.ofSeconds(2))
        .build();
  }

  @Test
  void chatFlowsThroughTheServiceAcrossInstances() throws Exception {
    service = new FakeAzureSignalRService(KEY).start();
    one = start(settings());
    two = start(settings());
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(service.readyServerConnections("chat")).isEqualTo(10));
    assertThat(status(one.url() + "/health/ready")).isEqualTo(200);
    String alice = one.tokens().issue("alice", "Alice", Duration.ofHours(1));
    String bob = two.tokens().issue("bob", "Bob", Duration.ofHours(1));
    NodeTests.run(
        Path.of("src", "test", "node", "azure", "azure-chat.mjs").toAbsolutePath(),
        Map.of("URL_ONE", one.url(), "URL_TWO", two.url(), "TOKEN_ALICE", alice, "TOKEN_BOB", bob),
        Duration.ofSeconds(120));
  }

  @Test
  void readinessIsDownWhileNoServerConnectionIsUp() throws Exception {
    service = new FakeAzureSignalRService(KEY).start();
    ChatSettings s = settings();
    service.close();
    one = start(s);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(status(one.url() + "/health/ready")).isEqualTo(503));
    HttpResponse<String> health = get(one.url() + "/health");
    assertThat(health.body())
        .contains("Azure SignalR Service")
        .contains("0/5 server connections up");
  }

  @Test
  void aMalformedConnectionStringStopsTheStartWithAReadableError() {
    ChatSettings s =
        ChatSettings.builder().azureSignalRConnection("Endpoint=nope;AccessKey=secret").build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScaleoutModes.standard().create(s))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("AZURE_SIGNALR_CONNECTION")
        .hasMessageNotContaining("secret");
  }

  private static int status(String url) throws Exception {
    return get(url).statusCode();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
