package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.internal.JdbiChatStore;

/**
 * With several writer connections (pipelined group commit) against the real PostgreSQL: callbacks
 * on the store's completion thread see each room's messages in seq order (what keeps the hub's
 * broadcasts in order), seq stays gapless, and a batch mixing known rooms with an unknown one
 * rejects only the unknown one.
 */
class PipelinedAppendOrderTest {
  private StoreOptions settings;
  private ChatStore store;

  @BeforeEach
  void open() {
    settings = TestDatabases.externalSettings().poolSize(4).writeConnections(3).build();
    store = ChatStores.open(settings);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    TestDatabases.dropSchema(settings.databaseUrl(), settings.schema());
  }

  @Test
  void completionsOfEachRoomRunInSeqOrderWithSeveralWriterConnections() throws Exception {
    assertThat(((JdbiChatStore) store).writer().lanes()).isEqualTo(3);
    List<Room> rooms = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rooms.add(store.createRoom("order " + i, false, "alice"));
    }
    Map<String, List<Long>> seen = new ConcurrentHashMap<>();
    AtomicInteger onCompletionThread = new AtomicInteger();
    int senders = 24;
    int perSender = 60;
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      Room room = rooms.get(s % rooms.size());
      String sender = "s" + s;
      loops.add(
          CompletableFuture.runAsync(
              () -> {
                for (int k = 0; k < perSender; k++) {
                  // several in flight per sender, so batches carry many messages per room
                  List<CompletableFuture<ChatMessage>> inFlight = new ArrayList<>();
                  for (int j = 0; j < 3; j++) {
                    CompletableFuture<ChatMessage> f =
                        store.append(NewMessage.user(room.id(), sender, "S", sender + "-" + k));
                    f.thenAccept(
                        m -> {
                          if (Thread.currentThread()
                              .getName()
                              .equals("jvmchat-store-completions")) {
                            onCompletionThread.incrementAndGet();
                            seen.computeIfAbsent(m.roomId(), r -> new CopyOnWriteArrayList<>())
                                .add(m.seq());
                          }
                        });
                    inFlight.add(f);
                  }
                  inFlight.forEach(CompletableFuture::join);
                }
              }));
    }
    CompletableFuture.allOf(loops.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);

    assertThat(onCompletionThread.get()).isPositive();
    for (List<Long> seqs : seen.values()) {
      for (int i = 1; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).as("seq order of completions").isGreaterThan(seqs.get(i - 1));
      }
    }
    int total = senders * perSender * 3;
    int stored = 0;
    for (Room room : rooms) {
      List<ChatMessage> all = new ArrayList<>();
      String before = null;
      do {
        MessagePage page = store.history(room.id(), before, 200);
        all.addAll(0, page.items());
        before = page.nextBefore();
      } while (before != null);
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i).seq()).isEqualTo(i + 1L); // gapless
      }
      stored += all.size();
    }
    assertThat(stored).isEqualTo(total);
    var writer = ((JdbiChatStore) store).writer();
    assertThat(writer.items()).isEqualTo(total);
  }

  @Test
  void anUnknownRoomInABatchOfKnownRoomsIsRejectedAlone() throws Exception {
    Room room = store.createRoom("known", false, "alice");
    store.append(NewMessage.user(room.id(), "alice", "A", "first")).get(30, TimeUnit.SECONDS);
    List<CompletableFuture<ChatMessage>> good = new ArrayList<>();
    List<CompletableFuture<ChatMessage>> bad = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      good.add(store.append(NewMessage.user(room.id(), "alice", "A", "m" + i)));
      if (i % 10 == 0) {
        bad.add(store.append(NewMessage.user(ChatIds.newId(), "alice", "A", "lost " + i)));
      }
    }
    for (CompletableFuture<ChatMessage> f : bad) {
      assertThat(f).failsWithin(30, TimeUnit.SECONDS);
      Throwable e = f.handle((m, error) -> error).get();
      assertThat(e instanceof java.util.concurrent.CompletionException ? e.getCause() : e)
          .isInstanceOf(NoSuchRoomException.class);
    }
    List<Long> seqs = new ArrayList<>();
    for (CompletableFuture<ChatMessage> f : good) {
      seqs.add(f.get(30, TimeUnit.SECONDS).seq());
    }
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    assertThat(store.history(room.id(), null, 200).items()).hasSize(51);
  }
}
