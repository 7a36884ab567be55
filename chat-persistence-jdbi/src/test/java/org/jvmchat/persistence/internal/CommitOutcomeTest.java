package org.jvmchat.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jvmchat.persistence.ChatIds;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.persistence.NoSuchRoomException;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.StoreOutcomeUnknownException;
import org.jvmchat.persistence.StoreUnavailableException;
import org.jvmchat.persistence.TestDatabases;

/**
 * The connection breaks while a batch commits (injected at the JDBC level, on the real PostgreSQL),
 * on both ways a batch commits: its COMMIT (the checked path, taken here by messages with
 * caller-chosen ids) and its one auto-committed statement (the usual path with one writer lane):
 * the store finds out whether the batch was stored and tells the sender the truth — stored (the
 * append completes with the seq that was stored), not stored (the error says so and the history has
 * nothing), or unknown when the database does not answer in time (and then the message may be in
 * the history).
 */
class CommitOutcomeTest {
  /** How the batch under test is committed. */
  enum Path {
    /** the one statement, in auto-commit mode: it commits before it answers */
    ONE_STATEMENT_AUTO_COMMITTED,
    /** the checked path's statements, then {@code commit()} */
    CHECKED_THEN_COMMIT
  }

  /** What the next commit (a {@code commit()}, or the auto-committed append statement) does. */
  private enum Fault {
    NONE,
    /** commits, then throws as if the connection broke before the answer arrived */
    COMMIT_THEN_LOSE_ANSWER,
    /** throws as if the connection broke before the COMMIT (or statement) reached the server */
    LOSE_BEFORE_COMMIT,
    /** commits, then the database becomes unreachable and the commit throws */
    COMMIT_THEN_GO_DOWN
  }

  private final AtomicReference<Fault> nextCommit = new AtomicReference<>(Fault.NONE);
  private final AtomicBoolean down = new AtomicBoolean();

  /** The next {@code getAutoCommit()} throws as if the connection had just broken. */
  private final AtomicBoolean breakBeforeTheStatement = new AtomicBoolean();

  private StoreOptions settings;
  private JdbiChatStore store;

  @BeforeEach
  void open() {
    settings = TestDatabases.externalSettings().connectTimeout(Duration.ofSeconds(1)).build();
    DatabaseTarget target = DatabaseTarget.parse(settings.databaseUrl());
    HikariConfig config = PostgresStoreFactory.poolConfig(target, settings);
    Properties props = PostgresStoreFactory.driverProperties(settings);
    if (target.user() != null) {
      props.setProperty("user", target.user());
    }
    if (target.password() != null) {
      props.setProperty("password", target.password());
    }
    config.setDataSource(new FaultyDataSource(target.jdbcUrl(), props));
    config.setUsername(null);
    config.setPassword(null);
    HikariDataSource pool = new HikariDataSource(config);
    PostgresStoreFactory.migrate(pool, target, settings);
    store = new JdbiChatStore(pool, "faulty " + target.description(), settings, null);
  }

  @AfterEach
  void close() throws Exception {
    down.set(false);
    if (store != null) {
      store.close();
    }
    TestDatabases.dropSchema(TestDatabases.databaseUrl(), settings.schema());
  }

  /** A message that takes {@code path}. */
  private static NewMessage message(Path path, String roomId, String content) {
    NewMessage m = NewMessage.user(roomId, "alice", "A", content);
    return path == Path.CHECKED_THEN_COMMIT ? m.withId(ChatIds.newId()) : m;
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void aBatchCommittedWhoseAnswerWasLostCompletesAsStoredWithItsSeq(Path path) throws Exception {
    Room room = store.createRoom("lost-answer", false, "alice");
    store.append(message(path, room.id(), "first")).get(30, TimeUnit.SECONDS);
    List<String> completed = Collections.synchronizedList(new ArrayList<>());

    nextCommit.set(Fault.COMMIT_THEN_LOSE_ANSWER);
    CompletableFuture<ChatMessage> faulted = store.append(message(path, room.id(), "answer lost"));
    faulted.thenAccept(m -> completed.add(m.content()));
    List<CompletableFuture<ChatMessage>> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CompletableFuture<ChatMessage> f = store.append(message(path, room.id(), "later " + i));
      f.thenAccept(m -> completed.add(m.content()));
      later.add(f);
    }

    ChatMessage stored = faulted.get(30, TimeUnit.SECONDS);
    assertThat(stored.seq()).isEqualTo(2);
    assertThat(nextCommit.get()).isEqualTo(Fault.NONE); // the fault was injected
    for (CompletableFuture<ChatMessage> f : later) {
      f.get(30, TimeUnit.SECONDS);
    }
    List<ChatMessage> history = store.history(room.id(), null, 50).items();
    assertThat(history).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    ChatMessage inHistory = history.stream().filter(m -> m.seq() == 2).findFirst().orElseThrow();
    assertThat(inHistory.id()).isEqualTo(stored.id());
    assertThat(inHistory.content()).isEqualTo("answer lost"); // stored once, with the seq told
    // completed in the room's seq order (the callbacks are what broadcasts)
    assertThat(completed)
        .containsExactly("answer lost", "later 0", "later 1", "later 2", "later 3", "later 4");
  }

  @Test
  void aConnectionFoundBrokenBeforeTheAutoCommittedStatementWasBuiltFailsAsNotStored()
      throws Exception {
    Room room = store.createRoom("broken-before", false, "alice");
    store.append(NewMessage.user(room.id(), "alice", "A", "first")).get(30, TimeUnit.SECONDS);

    breakBeforeTheStatement.set(true);
    CompletableFuture<ChatMessage> faulted =
        store.append(NewMessage.user(room.id(), "alice", "A", "never sent"));

    assertThatThrownBy(() -> faulted.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("storing the message failed: the database is unavailable");
    assertThat(breakBeforeTheStatement.get()).isFalse(); // the fault was injected
    ChatMessage next =
        store.append(NewMessage.user(room.id(), "alice", "A", "next")).get(30, TimeUnit.SECONDS);
    assertThat(next.seq()).isEqualTo(2); // no row and no gap
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void aBatchWhoseCommitNeverReachedTheServerFailsAsNotStoredAndLeavesNothing(Path path)
      throws Exception {
    Room room = store.createRoom("not-committed", false, "alice");
    store.append(message(path, room.id(), "first")).get(30, TimeUnit.SECONDS);

    nextCommit.set(Fault.LOSE_BEFORE_COMMIT);
    CompletableFuture<ChatMessage> faulted = store.append(message(path, room.id(), "never stored"));

    assertThatThrownBy(() -> faulted.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("storing the message failed: the database is unavailable");
    assertThat(nextCommit.get()).isEqualTo(Fault.NONE);
    assertThat(store.history(room.id(), null, 50).items())
        .extracting(ChatMessage::content)
        .containsExactly("first");
    ChatMessage next = store.append(message(path, room.id(), "next")).get(30, TimeUnit.SECONDS);
    assertThat(next.seq()).isEqualTo(2); // no row and no gap
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void whenTheDatabaseDoesNotAnswerInTimeTheOutcomeIsReportedAsUnknown(Path path) throws Exception {
    Room room = store.createRoom("unknown", false, "alice");

    nextCommit.set(Fault.COMMIT_THEN_GO_DOWN);
    CompletableFuture<ChatMessage> faulted = store.append(message(path, room.id(), "maybe"));

    assertThatThrownBy(() -> faulted.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StoreOutcomeUnknownException.class)
        .hasMessageContaining("did not answer within 2s whether it was stored")
        .hasMessageEndingWith("the message may appear in the history");
    assertThat(nextCommit.get()).isEqualTo(Fault.NONE);

    down.set(false);
    // it was committed: the history has it, once
    List<ChatMessage> history = awaitHistory(room.id());
    assertThat(history).extracting(ChatMessage::content).containsExactly("maybe");
    assertThat(history.get(0).seq()).isEqualTo(1);
  }

  @Test
  void anAutoCommittedBatchRejectsOnlyTheUnitWhoseKnownRoomWasDeletedByHand() throws Exception {
    Room kept = store.createRoom("kept", false, "alice");
    Room deleted = store.createRoom("deleted by hand", false, "alice");
    try (Connection c = TestDatabases.connect(TestDatabases.databaseUrl(), settings.schema());
        Statement s = c.createStatement()) {
      s.execute("delete from rooms where id = '" + deleted.id() + "'"); // the store never does
    }
    CompletableFuture<ChatMessage> lost =
        store.append(NewMessage.user(deleted.id(), "alice", "A", "nowhere"));
    CompletableFuture<ChatMessage> stored =
        store.append(NewMessage.user(kept.id(), "alice", "A", "here"));

    assertThatThrownBy(() -> lost.get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(NoSuchRoomException.class);
    assertThat(stored.get(30, TimeUnit.SECONDS).seq()).isEqualTo(1);
    // forgotten: the next append to it takes the checked path, which refuses it too
    assertThatThrownBy(
            () ->
                store
                    .append(NewMessage.user(deleted.id(), "alice", "A", "again"))
                    .get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(NoSuchRoomException.class);
    try (Connection c = TestDatabases.connect(TestDatabases.databaseUrl(), settings.schema());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select content from messages")) {
      List<String> contents = new ArrayList<>();
      while (rs.next()) {
        contents.add(rs.getString(1));
      }
      assertThat(contents).containsExactly("here");
    }
  }

  private List<ChatMessage> awaitHistory(String roomId) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return store.history(roomId, null, 50).items();
      } catch (StoreUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // the pool replaces the connections it dropped
      }
    }
  }

  /** Runs before each call of a proxied JDBC object. */
  @FunctionalInterface
  private interface Interceptor {
    /** May throw; returns the call's answer, or null to let the call reach the real object. */
    Object before(String method, Object[] args) throws Throwable;
  }

  /** {@code real} as {@code type}, each call first through {@code interceptor}. */
  private static <T> T intercepted(Class<T> type, T real, Interceptor interceptor) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          Object answer = interceptor.before(method.getName(), args);
          if (answer != null) {
            return answer;
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  private static SQLException connectionBroke(String what) {
    return new SQLException("injected: " + what, "08006");
  }

  /** Hands out real connections whose {@code commit()} does what {@link #nextCommit} says. */
  private final class FaultyDataSource implements DataSource {
    private final String url;
    private final Properties props;

    FaultyDataSource(String url, Properties props) {
      this.url = url;
      this.props = props;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (down.get()) {
        throw new SQLException("injected: connection refused", "08001");
      }
      Connection real = DriverManager.getConnection(url, props);
      return intercepted(
          Connection.class,
          real,
          (name, args) -> {
            if (down.get() && !Set.of("close", "isClosed", "abort").contains(name)) {
              throw connectionBroke("the database is down");
            }
            if (name.equals("getAutoCommit") && breakBeforeTheStatement.getAndSet(false)) {
              throw connectionBroke("connection reset before the statement was built");
            }
            if (name.equals("prepareStatement")
                && AppendTransaction.ONE_STATEMENT.equals(args[0])
                && real.getAutoCommit()) {
              return autoCommitted(real.prepareStatement((String) args[0]));
            }
            if (name.equals("commit")) {
              commitWithFault("COMMIT", real::commit);
            }
            return null;
          });
    }

    /**
     * Does what {@link #nextCommit} says to a commit ({@code what}: the {@code COMMIT}, or the
     * auto-committed statement) that {@code commit} performs: each fault throws as the driver
     * would; with none it returns, and the caller commits as usual.
     */
    private void commitWithFault(String what, SqlAction commit) throws SQLException {
      switch (nextCommit.getAndSet(Fault.NONE)) {
        case COMMIT_THEN_LOSE_ANSWER -> {
          commit.run();
          throw connectionBroke("connection reset after " + what + " was sent");
        }
        case LOSE_BEFORE_COMMIT -> throw connectionBroke("connection reset before " + what);
        case COMMIT_THEN_GO_DOWN -> {
          commit.run();
          down.set(true);
          throw connectionBroke("connection reset after " + what + " was sent");
        }
        case NONE -> {}
      }
    }

    /** The append statement in auto-commit mode: its execution is the commit. */
    private PreparedStatement autoCommitted(PreparedStatement real) {
      return intercepted(
          PreparedStatement.class,
          real,
          (name, args) -> {
            if (name.equals("executeQuery")) {
              commitWithFault("the statement", () -> real.executeQuery().close());
            }
            return null;
          });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
