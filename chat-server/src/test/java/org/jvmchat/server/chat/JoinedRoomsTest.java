package org.jvmchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.StoreUnavailableException;

/**
 * The joined rooms cache: a user's rooms are read from the store once, then kept by the join path
 * (join, leave), equal to the store's answer after every change, also when a read races a write or
 * two writes race, and dropped when a write's outcome is unknown.
 */
class JoinedRoomsTest {
  private final ChatStore memory = ChatStores.inMemory();
  // Runs inside the store's groupsOf after the read, before it returns (null: nothing).
  private final AtomicReference<Runnable> afterGroupsOf = new AtomicReference<>();
  private final AtomicReference<RuntimeException> failLeave = new AtomicReference<>();
  // Replaces the answer of the store's groupsOfAsync (null: the store's own).
  private final AtomicReference<CompletableFuture<List<String>>> groupsOfAsyncAnswer =
      new AtomicReference<>();
  private final AtomicReference<RuntimeException> failJoinAsync = new AtomicReference<>();
  private final CountingStore counting =
      new CountingStore(
          memory,
          (method, proceed) -> {
            if (method.equals("leaveGroup") && failLeave.get() != null) {
              proceed.run(); // the store wrote it, then the answer was lost
              throw failLeave.getAndSet(null);
            }
            if (method.equals("joinAsync") && failJoinAsync.get() != null) {
              ((CompletableFuture<?>) proceed.run()).join(); // stored, then the answer was lost
              return CompletableFuture.failedFuture(failJoinAsync.getAndSet(null));
            }
            if (method.equals("groupsOfAsync") && groupsOfAsyncAnswer.get() != null) {
              return groupsOfAsyncAnswer.getAndSet(null);
            }
            Object result = proceed.run();
            Runnable hook = method.equals("groupsOf") ? afterGroupsOf.get() : null;
            if (hook != null) {
              hook.run();
            }
            return result;
          });
  private final ChatStore store = counting.store();

  @AfterEach
  void close() {
    memory.close();
  }

  private int calls(String method) {
    return counting.calls(method);
  }

  private ChatService chat() {
    return new ChatService(store, 100, 100);
  }

  private static List<String> sorted(String... ids) {
    return java.util.stream.Stream.of(ids).sorted().toList();
  }

  @Test
  void readOnceThenKeptByJoinAndLeaveAndAlwaysTheStoresAnswer() {
    ChatService chat = chat();
    Room a = memory.createRoom("a", false, "owner");
    Room b = memory.createRoom("b", false, "owner");
    Room c = memory.createRoom("c", false, "owner");
    chat.join(a, "alice");

    assertThat(chat.joinedRooms("alice")).containsExactly(a.id());
    assertThat(calls("groupsOf")).isEqualTo(1);

    chat.join(c, "alice");
    chat.join(b, "alice");
    chat.join(b, "alice"); // again: no change
    assertThat(chat.joinedRooms("alice"))
        .isEqualTo(sorted(a.id(), b.id(), c.id()))
        .isEqualTo(sorted(memory.groupsOf("alice").toArray(String[]::new)));
    assertThat(chat.leave(b, "alice")).isTrue();
    assertThat(chat.leave(b, "alice")).isFalse();
    assertThat(chat.joinedRooms("alice"))
        .isEqualTo(sorted(a.id(), c.id()))
        .isEqualTo(sorted(memory.groupsOf("alice").toArray(String[]::new)));
    chat.leave(a, "alice");
    chat.leave(c, "alice");
    assertThat(chat.joinedRooms("alice")).isEmpty();
    assertThat(memory.groupsOf("alice")).isEmpty();
    // One user's changes leave another's entry alone.
    chat.join(a, "bob");
    assertThat(chat.joinedRooms("bob")).containsExactly(a.id());
    assertThat(chat.joinedRooms("alice")).isEmpty();

    assertThat(calls("groupsOf")).isEqualTo(2); // alice once, bob once
  }

  @Test
  void aReadRacingAJoinDoesNotCacheTheOlderList() throws Exception {
    ChatService chat = chat();
    Room a = memory.createRoom("a", false, "owner");
    Room b = memory.createRoom("b", false, "owner");
    chat.join(a, "alice");
    CountDownLatch read = new CountDownLatch(1);
    CountDownLatch joined = new CountDownLatch(1);
    afterGroupsOf.set(
        () -> {
          read.countDown();
          await(joined);
        });
    // The read sees [a], then the join of b is stored and applied while the read is in flight.
    CompletableFuture<List<String>> racing =
        CompletableFuture.supplyAsync(() -> chat.joinedRooms("alice"));
    await(read);
    afterGroupsOf.set(null);
    chat.join(b, "alice");
    joined.countDown();
    assertThat(racing.get(10, TimeUnit.SECONDS)).containsExactly(a.id());

    assertThat(chat.joinedRooms("alice")).isEqualTo(sorted(a.id(), b.id()));
    assertThat(chat.joinedRooms("alice")).isEqualTo(sorted(a.id(), b.id()));
    assertThat(calls("groupsOf")).isEqualTo(2); // the stale read was not kept; the next one was
  }

  @Test
  void writesThatOverlapAreNotAppliedOutOfTheirStoreOrder() {
    JoinedRooms cache = new JoinedRooms(10);
    List<String> store = new java.util.concurrent.CopyOnWriteArrayList<>(List.of("r1"));
    AtomicInteger reads = new AtomicInteger();
    assertThat(cache.of("alice", () -> count(reads, store))).containsExactly("r1");

    // Two writes of alice in flight: the join of r2 is stored first, then the leave of r2, but
    // the leave reaches the cache first. The later one must not re-add r2: the entry is dropped.
    long joinTicket = cache.beforeWrite("alice");
    long leaveTicket = cache.beforeWrite("alice");
    store.add("r2");
    store.remove("r2");
    cache.left("alice", "r2", leaveTicket);
    cache.joined("alice", "r2", joinTicket);

    assertThat(cache.of("alice", () -> count(reads, store))).containsExactly("r1");
    assertThat(reads).hasValue(2);
    // Writes one after the other are applied in place.
    cache.joined("alice", "r0", cache.beforeWrite("alice"));
    assertThat(cache.of("alice", () -> count(reads, store))).containsExactly("r0", "r1");
    assertThat(reads).hasValue(2);
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownDropsTheEntry() {
    ChatService chat = chat();
    Room a = memory.createRoom("a", false, "owner");
    chat.join(a, "alice");
    assertThat(chat.joinedRooms("alice")).containsExactly(a.id());

    failLeave.set(new StoreUnavailableException("lost answer", null));
    assertThatThrownBy(() -> chat.leave(a, "alice")).isInstanceOf(ChatException.class);
    // The store did record the leave: the cache must not say the room is still joined.
    assertThat(chat.joinedRooms("alice")).isEmpty();
    assertThat(calls("groupsOf")).isEqualTo(2);
  }

  @Test
  void boundedAndOffWhenZero() {
    JoinedRooms small = new JoinedRooms(2);
    for (String user : List.of("u1", "u2", "u3", "u4")) {
      small.of(user, List::of);
    }
    assertThat(small.size()).isLessThanOrEqualTo(2);

    ChatService off = new ChatService(store, 100, 0);
    Room a = memory.createRoom("a", false, "owner");
    off.join(a, "alice");
    off.joinedRooms("alice");
    off.joinedRooms("alice");
    assertThat(calls("groupsOf")).isEqualTo(2);
    assertThatThrownBy(() -> new JoinedRooms(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  /** The store's own asynchronous forms must not need it (the in-memory store answers at once). */
  private static final java.util.concurrent.Executor UNUSED =
      task -> {
        throw new AssertionError("the store used the blocking executor");
      };

  @Test
  void asynchronousJoinsAndReadsKeepTheCacheAsTheBlockingOnesDo() {
    ChatService chat = chat();
    Room a = memory.createRoom("a", false, "owner");
    Room b = memory.createRoom("b", false, "owner");
    assertThat(chat.joinAsync(a, "alice", UNUSED).join()).isTrue();
    assertThat(chat.joinedRoomsAsync("alice", UNUSED).join()).containsExactly(a.id());
    assertThat(calls("groupsOfAsync")).isEqualTo(1);

    assertThat(chat.joinAsync(b, "alice", UNUSED).join()).isTrue();
    assertThat(chat.joinAsync(b, "alice", UNUSED).join()).isFalse();
    assertThat(chat.joinedRoomsAsync("alice", UNUSED).join())
        .isEqualTo(sorted(a.id(), b.id()))
        .isEqualTo(chat.joinedRooms("alice"))
        .isEqualTo(sorted(memory.groupsOf("alice").toArray(String[]::new)));
    assertThat(calls("groupsOfAsync")).isEqualTo(1);
    assertThat(calls("groupsOf")).isZero();
    // A public room joined asynchronously made alice a participant, and the cache knows it.
    assertThat(memory.isParticipant(a.id(), "alice")).isTrue();
    assertThat(chat.access().knownParticipant(a.id(), "alice")).isTrue();
  }

  @Test
  void anAsynchronousReadRacingAJoinDoesNotCacheTheOlderList() {
    ChatService chat = chat();
    Room a = memory.createRoom("a", false, "owner");
    Room b = memory.createRoom("b", false, "owner");
    chat.join(a, "alice");
    // The read was answered [a] by the store, but its answer arrives after the join of b.
    CompletableFuture<List<String>> inFlight = new CompletableFuture<>();
    groupsOfAsyncAnswer.set(inFlight);
    CompletableFuture<List<String>> racing = chat.joinedRoomsAsync("alice", UNUSED);
    chat.joinAsync(b, "alice", UNUSED).join();
    inFlight.complete(List.of(a.id()));
    assertThat(racing.join()).containsExactly(a.id());

    assertThat(chat.joinedRoomsAsync("alice", UNUSED).join()).isEqualTo(sorted(a.id(), b.id()));
    assertThat(chat.joinedRoomsAsync("alice", UNUSED).join()).isEqualTo(sorted(a.id(), b.id()));
    assertThat(calls("groupsOfAsync")).isEqualTo(2); // the stale read was not kept
  }

  @Test
  void anAsynchronousJoinWhoseOutcomeIsUnknownDropsTheEntryAndFailsReadably() {
    ChatService chat = chat();
    Room a = memory.createRoom("a", false, "owner");
    Room b = memory.createRoom("b", false, "owner");
    chat.join(a, "alice");
    assertThat(chat.joinedRoomsAsync("alice", UNUSED).join()).containsExactly(a.id());

    failJoinAsync.set(new StoreUnavailableException("lost answer", null));
    assertThat(chat.joinAsync(b, "alice", UNUSED))
        .failsWithin(java.time.Duration.ofSeconds(10))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(ChatException.class)
        .withMessageContaining("unavailable");
    // The store did record the join: the cache must not say b is not joined.
    assertThat(chat.joinedRoomsAsync("alice", UNUSED).join()).isEqualTo(sorted(a.id(), b.id()));
  }

  private static List<String> count(AtomicInteger reads, List<String> store) {
    reads.incrementAndGet();
    return List.copyOf(store);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
