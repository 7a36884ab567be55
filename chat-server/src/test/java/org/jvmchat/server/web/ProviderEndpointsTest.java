package org.jvmchat.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The page's provider origins follow the discovery document and survive its outages. */
class ProviderEndpointsTest {
  HttpServer provider;
  String issuer;
  final AtomicBoolean up = new AtomicBoolean(true);
  final AtomicInteger fetches = new AtomicInteger();
  volatile String tokenEndpoint = "https://tokens.example:8443/token";

  @BeforeEach
  void start() throws Exception {
    provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    provider.createContext(
        "/.well-known/openid-configuration",
        ex -> {
          fetches.incrementAndGet();
          byte[] body =
              ("{\"issuer\":\""
                      + issuer
                      + "\",\"token_endpoint\":\""
                      + tokenEndpoint
                      + "\",\"authorization_endpoint\":\"https://login.example/authorize\"}")
                  .getBytes(StandardCharsets.UTF_8);
          if (up.get()) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          } else {
            ex.sendResponseHeaders(503, -1);
          }
          ex.close();
        });
    provider.start();
    issuer = "http://127.0.0.1:" + provider.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    provider.stop(0);
  }

  @Test
  void theTokenEndpointsOriginIsAddedAndTheLastGoodOriginsOutliveAnOutage() {
    ProviderEndpoints endpoints =
        new ProviderEndpoints(issuer, Duration.ofMillis(50), Duration.ofMillis(50));
    String good = issuer + " https://tokens.example:8443";
    await().atMost(Duration.ofSeconds(10)).until(() -> endpoints.connectSources().equals(good));

    up.set(false);
    int before = fetches.get();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> endpoints.connectSources() != null && fetches.get() > before + 2);
    assertThat(endpoints.connectSources()).isEqualTo(good);

    // Back up with another token endpoint: it replaces the old one.
    tokenEndpoint = "https://other-tokens.example/token";
    up.set(true);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> endpoints.connectSources().equals(issuer + " https://other-tokens.example"));
  }

  @Test
  void untilTheDocumentIsReadOnlyTheAuthorityIsAllowed() {
    up.set(false);
    ProviderEndpoints endpoints =
        new ProviderEndpoints(issuer + "/", Duration.ofMinutes(5), Duration.ofMinutes(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> fetches.get() >= 1);
    assertThat(endpoints.connectSources()).isEqualTo(issuer);
  }

  @Test
  void onlyHttpOriginsWithoutCredentialsAreTaken() {
    assertThat(ProviderEndpoints.origin("https://Login.example:8443/a/b?c"))
        .isEqualTo("https://Login.example:8443");
    assertThat(ProviderEndpoints.origin("javascript:alert(1)")).isNull();
    assertThat(ProviderEndpoints.origin("https://user:pw@login.example/")).isNull();
    assertThat(ProviderEndpoints.origin("https://login.example; script-src *")).isNull();
  }
}
