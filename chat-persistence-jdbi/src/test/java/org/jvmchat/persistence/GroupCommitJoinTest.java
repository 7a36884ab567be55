package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.internal.GroupCommitWriter;
import org.jvmchat.persistence.internal.JdbiChatStore;

/**
 * Joins share statements and commits against the real PostgreSQL: joins that queue while a batch is
 * being written go together in the next one, a duplicate in one batch is "newly joined" once, and a
 * join naming a room that does not exist fails alone.
 */
class GroupCommitJoinTest {
  private StoreOptions settings;
  private ChatStore store;
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @BeforeEach
  void open() {
    settings = TestDatabases.externalSettings().poolSize(4).build();
    store = ChatStores.open(settings);
  }

  @AfterEach
  void close() throws Exception {
    callers.shutdownNow();
    store.close();
    TestDatabases.dropSchema(settings.databaseUrl(), settings.schema());
  }

  @Test
  void joinsQueuedDuringABatchShareTheNextOneAndABadRoomFailsAlone() throws Exception {
    GroupCommitWriter<?, ?> joins = ((JdbiChatStore) store).joinWriter();
    Room blocked = store.createRoom("blocked", false, "alice");
    List<Room> rooms = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rooms.add(store.createRoom("room " + i, false, "alice"));
    }
    try (Connection other = TestDatabases.connect(settings.databaseUrl(), settings.schema())) {
      // Another transaction holds the row the first batch wants: that batch waits in PostgreSQL.
      other.setAutoCommit(false);
      try (PreparedStatement ps =
          other.prepareStatement(
              "insert into group_memberships (user_id, room_id) values ('zed', ?)")) {
        ps.setObject(1, UUID.fromString(blocked.id()));
        ps.executeUpdate();
      }
      CompletableFuture<Boolean> first =
          CompletableFuture.supplyAsync(() -> store.joinGroup("zed", blocked.id()), callers);
      await(() -> joins.batches() == 1);

      // 2 joins of each of 4 users to each of 3 rooms (12 pairs twice), and one unknown room.
      List<CompletableFuture<Boolean>> queued = new ArrayList<>();
      for (int copy = 0; copy < 2; copy++) {
        for (int u = 0; u < 4; u++) {
          for (Room room : rooms) {
            String user = "user" + u;
            queued.add(
                CompletableFuture.supplyAsync(
                    () -> store.joinAsParticipant(user, room.id()), callers));
          }
        }
      }
      String unknown = ChatIds.newId();
      CompletableFuture<Boolean> bad =
          CompletableFuture.supplyAsync(() -> store.joinGroup("user0", unknown), callers);
      await(() -> joins.queued() == 25);
      other.rollback();

      assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
      int newlyJoined = 0;
      for (CompletableFuture<Boolean> f : queued) {
        if (f.get(10, TimeUnit.SECONDS)) {
          newlyJoined++;
        }
      }
      assertThat(newlyJoined).isEqualTo(12);
      assertThatThrownBy(() -> bad.join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(NoSuchRoomException.class);
      // The 25 queued joins went in one batch (which then fell back to one by one for the bad
      // room): two batches in all.
      assertThat(joins.batches()).isEqualTo(2);
      assertThat(joins.items()).isEqualTo(26);
    }
    for (int u = 0; u < 4; u++) {
      assertThat(store.groupsOf("user" + u)).hasSize(3);
      for (Room room : rooms) {
        assertThat(store.isParticipant(room.id(), "user" + u)).isTrue();
      }
    }
    assertThat(store.groupsOf("zed")).containsExactly(blocked.id());
    // Joined already: not newly joined, in a batch of its own.
    assertThat(store.joinAsParticipant("user1", rooms.get(0).id())).isFalse();
  }

  @Test
  void groupLookupsQueuedDuringALookupShareTheNextOne() throws Exception {
    GroupCommitWriter<?, ?> lookups = ((JdbiChatStore) store).groupReader();
    Room a = store.createRoom("a", false, "alice");
    Room b = store.createRoom("b", false, "alice");
    store.joinGroup("u1", b.id());
    store.joinGroup("u1", a.id());
    store.joinGroup("u2", a.id());
    long before = lookups.batches();
    try (Connection other = TestDatabases.connect(settings.databaseUrl(), settings.schema())) {
      // Another transaction locks the table: the next lookup waits in PostgreSQL.
      other.setAutoCommit(false);
      other.createStatement().execute("lock table group_memberships in access exclusive mode");
      CompletableFuture<List<String>> first =
          CompletableFuture.supplyAsync(() -> store.groupsOf("u2"), callers);
      await(() -> lookups.batches() == before + 1);
      List<CompletableFuture<List<String>>> queued = new ArrayList<>();
      for (String user : List.of("u1", "u2", "u3", "u1")) {
        queued.add(CompletableFuture.supplyAsync(() -> store.groupsOf(user), callers));
      }
      await(() -> lookups.queued() == 4);
      other.rollback();
      assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly(a.id());
      List<String> sortedAb =
          a.id().compareTo(b.id()) < 0 ? List.of(a.id(), b.id()) : List.of(b.id(), a.id());
      assertThat(queued.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(sortedAb);
      assertThat(queued.get(1).get(10, TimeUnit.SECONDS)).containsExactly(a.id());
      assertThat(queued.get(2).get(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(queued.get(3).get(10, TimeUnit.SECONDS)).isEqualTo(sortedAb);
      assertThat(lookups.batches()).isEqualTo(before + 2);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
