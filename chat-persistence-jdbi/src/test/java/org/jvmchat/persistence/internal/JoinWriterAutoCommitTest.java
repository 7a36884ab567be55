package org.jvmchat.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatIds;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.NoSuchRoomException;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.TestDatabases;

/**
 * A batch of joins is one auto-committed statement on the real PostgreSQL (one round trip): no
 * {@code setAutoCommit(false)}, no {@code COMMIT}, no {@code ROLLBACK} on its connection, even when
 * the batch fails and is written again one join at a time; what it answered is stored.
 */
class JoinWriterAutoCommitTest {
  private StoreOptions settings;
  private ChatStore store;
  private JoinWriter joins;
  private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  private final List<Connection> opened = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void open() {
    settings = TestDatabases.externalSettings().build();
    store = ChatStores.open(settings); // migrates the schema
  }

  @AfterEach
  void close() throws Exception {
    if (joins != null) {
      joins.close();
    }
    for (Connection c : opened) {
      c.close();
    }
    store.close();
    TestDatabases.dropSchema(settings.databaseUrl(), settings.schema());
  }

  /** Real connections to the test schema; every call on them is recorded by method name. */
  private DataSource recording() {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("getConnection")) {
                throw new UnsupportedOperationException(method.getName());
              }
              Connection real = TestDatabases.connect(settings.databaseUrl(), settings.schema());
              opened.add(real);
              return Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    calls.add(
                        m.getName().equals("setAutoCommit")
                            ? "setAutoCommit(" + a[0] + ")"
                            : m.getName());
                    if (m.getName().equals("close")) {
                      return null; // closed by the test, after it read the rows back
                    }
                    try {
                      return m.invoke(real, a);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
            });
  }

  @Test
  void aBatchIsOneAutoCommittedStatementAndAFailedOneIsRetriedJoinByJoinTheSameWay()
      throws Exception {
    Room room = store.createRoom("auto-committed joins", false, "alice");
    UUID roomId = UUID.fromString(room.id());
    joins = new JoinWriter(recording(), 100, 100);

    assertThat(joins.submit(new JoinWriter.Join("u0", roomId, true)).get(10, TimeUnit.SECONDS))
        .isTrue();
    List<CompletableFuture<Boolean>> more = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      more.add(joins.submit(new JoinWriter.Join("u" + i, roomId, false)));
    }
    CompletableFuture<Boolean> bad =
        joins.submit(new JoinWriter.Join("u1", UUID.fromString(ChatIds.newId()), false));
    for (CompletableFuture<Boolean> f : more) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(NoSuchRoomException.class);

    assertThat(calls).contains("prepareStatement");
    assertThat(calls).doesNotContain("setAutoCommit(false)", "commit", "rollback", "setSavepoint");
    // Committed: another connection sees every join the writer answered.
    for (int i = 0; i <= 5; i++) {
      assertThat(store.groupsOf("u" + i)).containsExactly(room.id());
    }
    assertThat(store.isParticipant(room.id(), "u0")).isTrue();
    assertThat(store.isParticipant(room.id(), "u1")).isFalse();
  }
}
