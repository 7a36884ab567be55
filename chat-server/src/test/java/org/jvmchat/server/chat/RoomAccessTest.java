package org.jvmchat.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatIds;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.Room;

/**
 * The access cache: a room and a positive participant answer are read once; negative answers and
 * unknown rooms are read every time; every check stays as strict as without the cache.
 */
class RoomAccessTest {
  private final ChatStore memory = ChatStores.inMemory();
  private final CountingStore counting = new CountingStore(memory);
  private final ChatStore store = counting.store();

  @AfterEach
  void close() {
    memory.close();
  }

  private int calls(String method) {
    return counting.calls(method);
  }

  private static int status(Runnable action) {
    try {
      action.run();
      return 200;
    } catch (ChatException e) {
      return e.status();
    }
  }

  @Test
  void aPrivateRoomAndItsParticipantAreReadOnceThenServedFromTheCache() {
    ChatService chat = new ChatService(store);
    Room room = memory.createRoom("secret", true, "alice");
    for (int i = 0; i < 100; i++) {
      assertThat(chat.accessibleRoom(room.id(), "alice")).isEqualTo(room);
      assertThat(chat.mayAccess(room.id(), "alice")).isTrue();
    }
    assertThat(calls("findRoom")).isEqualTo(1);
    assertThat(calls("isParticipant")).isEqualTo(1);
  }

  @Test
  void aRefusalIsNotCachedSoAParticipantAddedElsewhereGetsInAtOnce() {
    ChatService chat = new ChatService(store);
    Room room = memory.createRoom("secret", true, "alice");
    assertThat(status(() -> chat.accessibleRoom(room.id(), "bob"))).isEqualTo(403);
    assertThat(status(() -> chat.accessibleRoom(room.id(), "bob"))).isEqualTo(403);
    assertThat(chat.mayAccess(room.id(), "bob")).isFalse();
    assertThat(calls("isParticipant")).isEqualTo(3); // asked every time
    memory.addParticipant(room.id(), "bob"); // e.g. by another server instance
    assertThat(chat.accessibleRoom(room.id(), "bob")).isEqualTo(room);
    assertThat(chat.accessibleRoom(room.id(), "bob")).isEqualTo(room);
    assertThat(calls("isParticipant")).isEqualTo(4);
    assertThat(calls("findRoom")).isEqualTo(1);
  }

  @Test
  void unknownRoomsAreNotCachedAndMalformedIdsNeverReachTheStore() {
    ChatService chat = new ChatService(store);
    String unknown = ChatIds.newId();
    assertThat(status(() -> chat.accessibleRoom(unknown, "alice"))).isEqualTo(404);
    assertThat(status(() -> chat.accessibleRoom(unknown, "alice"))).isEqualTo(404);
    assertThat(chat.mayAccess(unknown, "alice")).isFalse();
    assertThat(calls("findRoom")).isEqualTo(3);
    assertThat(status(() -> chat.accessibleRoom("not-an-id", "alice"))).isEqualTo(400);
    assertThat(status(() -> chat.accessibleRoom(null, "alice"))).isEqualTo(400);
    assertThat(calls("findRoom")).isEqualTo(3);
  }

  @Test
  void aPublicRoomIsOpenToEveryoneAndJoiningItTwiceReadsNothingTheSecondTime() {
    ChatService chat = new ChatService(store);
    Room room = memory.createRoom("lobby", false, "alice");
    assertThat(chat.accessibleRoom(room.id(), "bob")).isEqualTo(room);
    assertThat(calls("isParticipant")).isZero(); // public: no participant check
    chat.ensureParticipant(room, "bob");
    assertThat(calls("isParticipant")).isEqualTo(1);
    assertThat(calls("addParticipant")).isEqualTo(1);
    assertThat(memory.isParticipant(room.id(), "bob")).isTrue();
    chat.ensureParticipant(room, "bob");
    assertThat(calls("isParticipant")).isEqualTo(1);
    assertThat(calls("addParticipant")).isEqualTo(1);
  }

  @Test
  void roomsCreatedAndParticipantsAddedHereAreKnownWithoutARead() {
    ChatService chat = new ChatService(store);
    Room room = chat.createRoom("secret", true, "alice");
    assertThat(chat.accessibleRoom(room.id(), "alice")).isEqualTo(room);
    chat.addParticipant(room.id(), "alice", "bob");
    assertThat(chat.accessibleRoom(room.id(), "bob")).isEqualTo(room);
    assertThat(calls("findRoom")).isZero();
    assertThat(calls("isParticipant")).isZero();
    // only a participant may add one, and that stays so
    assertThat(status(() -> chat.addParticipant(room.id(), "carol", "dave"))).isEqualTo(403);
  }

  @Test
  void theCacheIsBoundedAndSizeZeroTurnsItOff() {
    ChatService small = new ChatService(store, 1);
    Room a = memory.createRoom("a", false, "alice");
    Room b = memory.createRoom("b", false, "alice");
    small.accessibleRoom(a.id(), "alice");
    small.accessibleRoom(b.id(), "alice");
    small.accessibleRoom(a.id(), "alice");
    small.accessibleRoom(b.id(), "alice");
    // with 16 stripes of at least one entry, a and b may share a stripe: at most 4 reads, at least
    // 2
    assertThat(calls("findRoom")).isBetween(2, 4);

    counting.clear();
    ChatService off = new ChatService(store, 0);
    for (int i = 0; i < 5; i++) {
      off.accessibleRoom(a.id(), "alice");
    }
    assertThat(calls("findRoom")).isEqualTo(5);
    assertThat(off.access().maxEntries()).isZero();
    assertThatThrownBy(() -> new ChatService(store, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theNonBlockingCheckAnswersOnlyFromTheCacheAndNeverAsksTheStore() {
    ChatService chat = new ChatService(store);
    Room pub = memory.createRoom("lobby", false, "alice");
    Room secret = memory.createRoom("secret", true, "alice");
    memory.addParticipant(secret.id(), "bob");
    // Not seen yet: the cache cannot tell, and the store is not asked.
    assertThat(chat.cachedAccessibleRoom(pub.id(), "bob")).isNull();
    assertThat(chat.cachedAccessibleRoom(secret.id(), "bob")).isNull();
    assertThat(calls("findRoom") + calls("isParticipant")).isZero();
    // Once the blocking check has read them, the same answers come from the cache.
    assertThat(chat.accessibleRoom(pub.id(), "bob")).isEqualTo(pub);
    assertThat(chat.accessibleRoom(secret.id(), "bob")).isEqualTo(secret);
    int reads = calls("findRoom") + calls("isParticipant");
    assertThat(chat.cachedAccessibleRoom(pub.id(), "bob")).isEqualTo(pub);
    assertThat(chat.cachedAccessibleRoom(pub.id(), "carol")).isEqualTo(pub); // public: anyone
    assertThat(chat.cachedAccessibleRoom(secret.id(), "bob")).isEqualTo(secret);
    assertThat(calls("findRoom") + calls("isParticipant")).isEqualTo(reads);
  }

  @Test
  void theNonBlockingCheckNeverLetsANonParticipantIntoACachedPrivateRoom() {
    ChatService chat = new ChatService(store);
    Room secret = chat.createRoom("secret", true, "alice"); // cached with its creator
    assertThat(chat.cachedAccessibleRoom(secret.id(), "alice")).isEqualTo(secret);
    // Mallory is not known as a participant: no answer from the cache (the store refuses her).
    assertThat(chat.cachedAccessibleRoom(secret.id(), "mallory")).isNull();
    assertThat(status(() -> chat.accessibleRoom(secret.id(), "mallory"))).isEqualTo(403);
    assertThat(chat.cachedAccessibleRoom(secret.id(), "mallory")).isNull(); // refusals not cached
    // Added by a participant: the path that adds her also teaches the cache.
    chat.addParticipant(secret.id(), "alice", "mallory");
    assertThat(chat.cachedAccessibleRoom(secret.id(), "mallory")).isEqualTo(secret);
  }

  @Test
  void theNonBlockingCheckRefusesMalformedIdsAsTheBlockingOneDoes() {
    ChatService chat = new ChatService(store);
    assertThat(status(() -> chat.cachedAccessibleRoom(null, "alice"))).isEqualTo(400);
    assertThat(status(() -> chat.cachedAccessibleRoom("", "alice"))).isEqualTo(400);
    assertThat(status(() -> chat.cachedAccessibleRoom("not-an-id", "alice"))).isEqualTo(400);
    assertThat(chat.cachedAccessibleRoom(ChatIds.newId(), "alice")).isNull(); // unknown: ask
  }

  @Test
  void withTheCacheOffTheNonBlockingCheckAlwaysDefersToTheStore() {
    ChatService off = new ChatService(store, 0);
    Room pub = memory.createRoom("lobby", false, "alice");
    assertThat(off.accessibleRoom(pub.id(), "alice")).isEqualTo(pub);
    assertThat(off.cachedAccessibleRoom(pub.id(), "alice")).isNull();
  }
}
