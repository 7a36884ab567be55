package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jvmchat.testing.TcpProxy;

/**
 * PostgreSQL lost while the store runs: a TCP proxy between the pool and the shared PostgreSQL is
 * cut and restored (the server itself is never stopped). On both ways a batch is written: its one
 * auto-committed statement (the usual path with one writer lane), and the checked path's statements
 * followed by a COMMIT (taken here by messages with caller-chosen ids).
 */
class OutageRecoveryTest {
  /** How the appends under test are written. */
  enum Path {
    /**
     * Auto-committed: a statement sent on a connection that then turns out broken may have been
     * committed, so its sender is told "not stored" only if the failure came first (no connection
     * could be had), and otherwise "maybe stored" once the database did not answer the check.
     */
    ONE_STATEMENT_AUTO_COMMITTED,
    /** The statements fail before any COMMIT is sent: "not stored", always. */
    CHECKED_THEN_COMMIT
  }

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

  private static NewMessage message(Path path, String roomId, String content) {
    NewMessage m = NewMessage.user(roomId, "alice", "A", content);
    return path == Path.CHECKED_THEN_COMMIT ? m.withId(ChatIds.newId()) : m;
  }

  /** The error an append during the outage fails with, readable and true for {@code path}. */
  private static void assertFailedDuringTheOutage(Path path, CompletableFuture<?> append) {
    Throwable error =
        catchThrowableOfType(ExecutionException.class, () -> append.get(60, TimeUnit.SECONDS))
            .getCause();
    if (path == Path.ONE_STATEMENT_AUTO_COMMITTED
        && error instanceof StoreOutcomeUnknownException) {
      assertThat(error)
          .hasMessageStartingWith("storing the message: the database connection broke")
          .hasMessageEndingWith("the message may appear in the history");
      return;
    }
    assertThat(error)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("storing the message failed: the database is unavailable");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void appendsFailReadablyWhileTheDatabaseIsGoneAndWorkAgainWhenItIsBack(Path path)
      throws Exception {
    Room room = store.createRoom("outage", false, "alice");
    ChatMessage before = store.append(message(path, room.id(), "before")).get();
    assertThat(store.ping().healthy()).isTrue();

    proxy.cut();

    CompletableFuture<ChatMessage> lost = store.append(message(path, room.id(), "during"));
    assertFailedDuringTheOutage(path, lost);
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
    ChatMessage after = store.append(message(path, room.id(), "after")).get(30, TimeUnit.SECONDS);
    assertThat(after.seq()).isEqualTo(2); // the failed append left no gap and no row
    assertThat(store.history(room.id(), null, 10).items()).containsExactly(before, after);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void everyCallerOfAFailedBatchGetsTheError(Path path) throws Exception {
    Room room = store.createRoom("batch", false, "alice");
    proxy.cut();
    CompletableFuture<?>[] futures = new CompletableFuture<?>[20];
    for (int i = 0; i < futures.length; i++) {
      futures[i] = store.append(message(path, room.id(), "m" + i));
    }
    for (CompletableFuture<?> f : futures) {
      assertFailedDuringTheOutage(path, f);
    }
    proxy.restore();
    await().atMost(Duration.ofSeconds(30)).until(() -> store.ping().healthy());
    assertThat(store.history(room.id(), null, 50).items()).isEmpty();
  }
}
