package org.jvmchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.jvmchat.server.config.ChatEnvironment;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.support.TestHubClient;
import org.jvmchat.server.support.TestServer;

class ProductionAndShutdownTest {

  @Test
  void theDevTokenPathIs404InProduction() throws Exception {
    try (TestServer server =
        new TestServer(
            ChatSettings.builder()
                .port(0)
                .host("127.0.0.1")
                .environment(ChatEnvironment.PRODUCTION)
                .jwtSecret("0123456789abcdef0123456789abcdef"))) {
      HttpResponse<String> r =
          server.post("/api/v1/auth/dev-token", null, "{\"userId\":\"alice\",\"name\":\"Alice\"}");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).doesNotContain("accessToken");
      // tokens signed with the configured key work
      assertThat(server.get("/api/v1/rooms", server.token("alice", "Alice")).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void shutdownMakesReadinessFailFirstThenClosesClientsWithAllowReconnect() throws Exception {
    TestServer server = new TestServer();
    try {
      TestHubClient alice = server.connect("alice");
      assertThat(server.get("/health/ready", null).statusCode()).isEqualTo(200);
      server.server.health().shuttingDown();
      HttpResponse<String> ready = server.get("/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("shutting down");
      assertThat(server.get("/health/live", null).statusCode()).isEqualTo(200);

      long start = System.nanoTime();
      server.server.stop(Duration.ofSeconds(2));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      alice.closed().get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(alice.closeAllowsReconnect()).isTrue();
    } finally {
      server.close();
    }
  }
}
