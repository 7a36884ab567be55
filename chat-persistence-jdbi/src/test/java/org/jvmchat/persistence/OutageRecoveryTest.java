package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.testing.TcpProxy;

/**
 * PostgreSQL lost while the store runs: a TCP proxy between the pool and the shared PostgreSQL is
 * cut and restored (the server itself is never stopped).
 */
class OutageRecoveryTest {
  private TcpProxy proxy;
  private StoreOptions settings;
  private ChatStore store;

  @BeforeEach
  void open() throws Exception {
    InetSocketAddress db = TestDatabases.databaseAddress();
    proxy = new TcpProxy(db.getHostString(), db.getPort());
    settings =
        TestDatabases.externalSettings()
            .databaseUrl(TestDatabases.databaseUrlVia(proxy.port()))
            .connectTimeout(Duration.ofSeconds(1))
            .socketTimeout(Duration.ofSeconds(5))
            .build();
    store = ChatStores.open(settings);
  }

  @AfterEach
  void close() throws Exception {
    if (store != null) {
      store.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    TestDatabases.dropSchema(TestDatabases.databaseUrl(), settings.schema());
  }

  @Test
  void appendsFailReadablyWhileTheDatabaseIsGoneAndWorkAgainWhenItIsBack() throws Exception {
    Room room = store.createRoom("outage", false, "alice");
    ChatMessage before = store.append(NewMessage.user(room.id(), "alice", "A", "before")).get();
    assertThat(store.ping().healthy()).isTrue();

    proxy.cut();

    CompletableFuture<ChatMessage> lost =
        store.append(NewMessage.user(room.id(), "alice", "A", "during"));
    assertThatThrownBy(() -> lost.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("storing the message failed: the database is unavailable");
    StoreHealth health = store.ping();
    assertThat(health.healthy()).isFalse();
    assertThat(health.detail()).contains("127.0.0.1:" + proxy.port());
    assertThatThrownBy(() -> store.history(room.id(), null, 10))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("reading the history failed: the database is unavailable");

    proxy.restore();

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> store.ping().healthy());
    ChatMessage after =
        store.append(NewMessage.user(room.id(), "alice", "A", "after")).get(30, TimeUnit.SECONDS);
    assertThat(after.seq()).isEqualTo(2); // the failed append left no gap and no row
    assertThat(store.history(room.id(), null, 10).items()).containsExactly(before, after);
  }

  @Test
  void everyCallerOfAFailedBatchGetsTheError() throws Exception {
    Room room = store.createRoom("batch", false, "alice");
    proxy.cut();
    CompletableFuture<?>[] futures = new CompletableFuture<?>[20];
    for (int i = 0; i < futures.length; i++) {
      futures[i] = store.append(NewMessage.user(room.id(), "alice", "A", "m" + i));
    }
    for (CompletableFuture<?> f : futures) {
      assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(StoreUnavailableException.class);
    }
    proxy.restore();
    await().atMost(Duration.ofSeconds(30)).until(() -> store.ping().healthy());
    assertThat(store.history(room.id(), null, 50).items()).isEmpty();
  }
}
