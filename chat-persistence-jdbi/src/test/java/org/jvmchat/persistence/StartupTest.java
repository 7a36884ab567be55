package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.jvmchat.testing.TcpProxy;

/** What {@link ChatStores#open} does when PostgreSQL is not there at start. */
class StartupTest {
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  @Test
  void anUnreachableDatabaseIsRetriedUntilTheStartupTimeoutThenReportedReadably() throws Exception {
    int port = closedPort();
    StoreOptions settings =
        StoreOptions.builder()
            .databaseUrl("postgres://chat:secret-password@127.0.0.1:" + port + "/chat")
            .startupTimeout(Duration.ofMillis(1500))
            .build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> ChatStores.open(settings))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("PostgreSQL at 127.0.0.1:" + port + "/chat is unreachable (tried ")
        .hasMessageContaining("refused")
        .hasMessageNotContaining("secret-password");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isBetween(Duration.ofMillis(1400), Duration.ofSeconds(15));
  }

  @Test
  void startWaitsForADatabaseThatComesUpWithinTheStartupTimeout() throws Exception {
    InetSocketAddress db = TestDatabases.databaseAddress();
    StoreOptions[] settings = new StoreOptions[1];
    try (TcpProxy proxy = new TcpProxy(db.getHostString(), db.getPort())) {
      proxy.cut();
      settings[0] =
          TestDatabases.externalSettings()
              .databaseUrl(TestDatabases.databaseUrlVia(proxy.port()))
              .startupTimeout(Duration.ofSeconds(30))
              .build();
      CompletableFuture<ChatStore> opening =
          CompletableFuture.supplyAsync(() -> ChatStores.open(settings[0]));
      // it is still retrying a second later: the proxy refuses every connection
      assertThat(
              opening
                  .thenApply(s -> (Object) s)
                  .completeOnTimeout("still retrying", 1, TimeUnit.SECONDS)
                  .get(5, TimeUnit.SECONDS))
          .isEqualTo("still retrying");
      proxy.restore();
      try (ChatStore store = opening.get(30, TimeUnit.SECONDS)) {
        assertThat(store.ping().healthy()).isTrue();
        assertThat(store.createRoom("late", false, "alice").name()).isEqualTo("late");
      }
    } finally {
      if (settings[0] != null) {
        TestDatabases.dropSchema(TestDatabases.databaseUrl(), settings[0].schema());
      }
    }
  }

  @Test
  void aDatabaseThatDoesNotExistFailsAtOnce() {
    StoreOptions settings =
        StoreOptions.builder()
            .databaseUrl(
                TestDatabases.databaseUrl().replaceFirst("/[^/?]+(\\?|$)", "/no_such_db_jvmchat$1"))
            .startupTimeout(Duration.ofSeconds(30))
            .build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> ChatStores.open(settings))
        .isInstanceOf(ChatStoreException.class)
        .isNotInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("no_such_db_jvmchat")
        .hasMessageContaining("does not exist");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
