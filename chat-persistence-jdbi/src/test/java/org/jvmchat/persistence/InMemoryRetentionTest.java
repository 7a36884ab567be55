package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store's bound: each room keeps its newest messages, seqs go on counting, and the
 * history ends at the oldest message kept.
 */
class InMemoryRetentionTest {
  private static List<ChatMessage> append(ChatStore store, Room room, int count) {
    List<ChatMessage> stored = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      stored.add(store.append(NewMessage.user(room.id(), "alice", "Alice", "m" + i)).join());
    }
    return stored;
  }

  private static List<Long> seqs(List<ChatMessage> messages) {
    return messages.stream().map(ChatMessage::seq).toList();
  }

  @Test
  void aRoomKeepsItsNewestMessagesAndSeqsGoOn() {
    InMemoryChatStore store = new InMemoryChatStore(Clock.systemUTC(), 8);
    Room room = store.createRoom("busy", false, "alice");
    Room quiet = store.createRoom("quiet", false, "alice");
    List<ChatMessage> quietOnes = append(store, quiet, 3);
    List<ChatMessage> all = append(store, room, 20);
    assertThat(seqs(all)).isEqualTo(LongStream.rangeClosed(1, 20).boxed().toList());

    List<ChatMessage> kept = store.history(room.id(), null, 50).items();
    // At 9 the oldest 2 went (7 kept), at 16 the next 2, so 13..20 are kept once 20 were stored.
    assertThat(seqs(kept)).isEqualTo(LongStream.rangeClosed(13, 20).boxed().toList());
    assertThat(store.history(room.id(), null, 50).nextBefore()).isNull();
    // Paging back ends at the oldest message kept.
    MessagePage newest = store.history(room.id(), null, 5);
    assertThat(seqs(newest.items())).containsExactly(16L, 17L, 18L, 19L, 20L);
    MessagePage older = store.history(room.id(), newest.nextBefore(), 5);
    assertThat(seqs(older.items())).containsExactly(13L, 14L, 15L);
    assertThat(older.nextBefore()).isNull();
    // After a dropped seq: from the oldest kept; after a kept one: what follows it.
    assertThat(seqs(store.historyAfter(room.id(), 0, 50).items()))
        .isEqualTo(LongStream.rangeClosed(13, 20).boxed().toList());
    assertThat(seqs(store.historyAfter(room.id(), 17, 50).items())).containsExactly(18L, 19L, 20L);
    assertThat(store.historyAfter(room.id(), 20, 50).items()).isEmpty();
    // A dropped message cannot anchor a page; the error says why.
    assertThatThrownBy(() -> store.history(room.id(), all.get(0).id(), 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keeps the newest 8 messages per room");
    // Seqs go on; the other room is untouched.
    assertThat(append(store, room, 1).get(0).seq()).isEqualTo(21);
    assertThat(store.history(quiet.id(), null, 50).items()).isEqualTo(quietOnes);
  }

  @Test
  void aBatchLargerThanTheBoundIsStoredAndAnsweredWhole() {
    InMemoryChatStore store = new InMemoryChatStore(Clock.systemUTC(), 4);
    Room room = store.createRoom("r", false, "alice");
    List<NewMessage> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(NewMessage.user(room.id(), "alice", "Alice", "b" + i));
    }
    List<ChatMessage> stored = store.appendAll(batch).join();
    assertThat(seqs(stored)).isEqualTo(LongStream.rangeClosed(1, 10).boxed().toList());
    assertThat(store.history(room.id(), null, 50).items())
        .hasSizeBetween(3, 4)
        .last()
        .isEqualTo(stored.get(9));
  }

  @Test
  void theBoundIsAtLeastOneAndOpenHonoursTheSetting() {
    assertThatThrownBy(() -> new InMemoryChatStore(Clock.systemUTC(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    try (ChatStore store =
        ChatStores.open(StoreOptions.builder().inMemory(true).memoryMessagesPerRoom(2).build())) {
      Room room = store.createRoom("r", false, "alice");
      append(store, room, 5);
      assertThat(seqs(store.history(room.id(), null, 50).items())).containsExactly(4L, 5L);
    }
  }
}
