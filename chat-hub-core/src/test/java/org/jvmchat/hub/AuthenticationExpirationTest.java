package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.protocol.CloseMessage;

/** {@link HubOptions#closeOnAuthenticationExpiration()}: on, a Close at expiry; off by default. */
class AuthenticationExpirationTest {
  static HubServer server;

  public static class EchoHub extends Hub {
    public String echo(String s) {
      return s;
    }
  }

  @BeforeAll
  static void start() {
    // A token here is "<user>:<exp as epoch millis>": the credential's expiry is its exp claim.
    BearerTokenAuthenticator auth =
        new BearerTokenAuthenticator(
            token -> {
              String[] parts = token.split(":");
              return new HubUser(
                  parts[0],
                  parts[0],
                  Map.of("exp", Instant.ofEpochMilli(Long.parseLong(parts[1]))));
            });
    server =
        TestServers.start(
            HubServer.builder()
                .authenticator(auth)
                .hub(
                    "/hubs/close",
                    EchoHub::new,
                    HubOptions.builder().closeOnAuthenticationExpiration(true).build())
                .hub("/hubs/keep", EchoHub::new, HubOptions.defaults()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  private static String tokenExpiringIn(Duration d) {
    return "alice:" + Instant.now().plus(d).toEpochMilli();
  }

  @Test
  void anExpiredCredentialClosesTheConnectionWithAllowReconnect() {
    try (TestHubClient c =
        TestHubClient.connectAs(
            TestServers.url(server, "/hubs/close"), tokenExpiringIn(Duration.ofSeconds(2)))) {
      assertThat(c.invokeAndAwait("echo", "before").result()).isEqualTo("before");
      long start = System.nanoTime();

      CloseMessage close = c.awaitClose();

      assertThat(close.error()).contains("authentication expired");
      assertThat(close.allowReconnect()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void offByDefaultTheConnectionOutlivesItsCredential() throws Exception {
    try (TestHubClient c =
        TestHubClient.connectAs(
            TestServers.url(server, "/hubs/keep"), tokenExpiringIn(Duration.ofMillis(500)))) {
      Thread.sleep(2500); // past the expiry and at least two heartbeat ticks
      assertThat(c.invokeAndAwait("echo", "still here").result()).isEqualTo("still here");
      assertThat(c.pending()).noneMatch(m -> m instanceof CloseMessage);
    }
  }
}
