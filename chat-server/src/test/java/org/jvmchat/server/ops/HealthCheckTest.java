package org.jvmchat.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The image's health check: 200 from /health/live is healthy; anything else, or nothing, is not.
 */
class HealthCheckTest {
  @Test
  void answersWhatTheServerSays() throws Exception {
    AtomicInteger status = new AtomicInteger(200);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        HealthCheck.PATH,
        exchange -> {
          exchange.sendResponseHeaders(status.get(), -1);
          exchange.close();
        });
    server.start();
    try {
      URI url = URI.create(HealthCheck.defaultUrl(String.valueOf(server.getAddress().getPort())));
      assertThat(HealthCheck.check(url)).isEqualTo(200);
      status.set(503);
      assertThat(HealthCheck.check(url)).isEqualTo(503);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void nothingListeningIsUnhealthy() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(HealthCheck.check(URI.create(HealthCheck.defaultUrl(String.valueOf(port)))))
        .isEqualTo(-1);
  }

  @Test
  void theDefaultPortIs8080() {
    assertThat(HealthCheck.defaultUrl(null)).isEqualTo("http://127.0.0.1:8080/health/live");
    assertThat(HealthCheck.defaultUrl(" 9090 ")).isEqualTo("http://127.0.0.1:9090/health/live");
  }
}
