package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every {@link ChatStore} must have. Extend it, implement {@link #openStore()} (and
 * {@link #closeStore(ChatStore)} if there is more to clean up) and run it: the chat server's own
 * stores can reuse it from this module's test-jar.
 *
 * <p>One store serves the whole class, so every test makes its own rooms and user ids and never
 * assumes the store is empty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ChatStoreContractTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger USERS = new AtomicInteger();

  protected ChatStore store;

  /** Opens the store under test; called once per test class. */
  protected abstract ChatStore openStore() throws Exception;

  /** Closes the store and removes what {@link #openStore()} made. */
  protected void closeStore(ChatStore store) throws Exception {
    store.close();
  }

  @BeforeAll
  void openTheStore() throws Exception {
    store = openStore();
  }

  @AfterAll
  void closeTheStore() throws Exception {
    if (store != null) {
      closeStore(store);
    }
  }

  /** A user id no other test uses. */
  protected static String user(String name) {
    return name + "-" + USERS.incrementAndGet() + "-" + ProcessHandle.current().pid();
  }

  protected static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new CompletionException(e.getCause());
    } catch (Exception e) {
      throw new AssertionError("the store did not answer within " + WAIT, e);
    }
  }

  private ChatMessage send(Room room, String sender, String content) {
    return await(store.append(NewMessage.user(room.id(), sender, "Name " + sender, content)));
  }

  // ---- rooms --------------------------------------------------------------------------------

  @Test
  void createdRoomCanBeFoundAndItsCreatorTakesPart() {
    String alice = user("alice");
    Instant before = Instant.now().minusSeconds(5);
    Room room = store.createRoom("General", false, alice);

    assertThat(ChatIds.isValid(room.id())).isTrue();
    assertThat(room.name()).isEqualTo("General");
    assertThat(room.isPrivate()).isFalse();
    assertThat(room.createdBy()).isEqualTo(alice);
    assertThat(room.createdAt()).isAfter(before).isBefore(Instant.now().plusSeconds(5));
    assertThat(store.findRoom(room.id())).contains(room);
    assertThat(store.isParticipant(room.id(), alice)).isTrue();
  }

  @Test
  void unknownOrMalformedRoomIdsAreNotFound() {
    assertThat(store.findRoom(ChatIds.newId())).isEmpty();
    assertThat(store.findRoom("not-an-id")).isEmpty();
    assertThat(store.findRoom("")).isEmpty();
    assertThat(store.findRoom(null)).isEmpty();
    assertThat(store.isParticipant(ChatIds.newId(), "nobody")).isFalse();
    assertThat(store.isParticipant("'; drop table rooms; --", "nobody")).isFalse();
  }

  @Test
  void roomNamesAndUserIdsAreCheckedAgainstTheLimits() {
    String alice = user("alice");
    assertThatThrownBy(() -> store.createRoom("", false, alice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name must be 1 to 100 characters");
    assertThatThrownBy(() -> store.createRoom("   ", false, alice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThatThrownBy(() -> store.createRoom("x".repeat(101), false, alice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(was 101)");
    assertThatThrownBy(() -> store.createRoom("a\0b", false, alice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> store.createRoom("ok", false, "u".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("createdBy must be 1 to 64 characters");
    assertThatThrownBy(() -> store.createRoom("ok", false, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("createdBy is required");

    String hundredEmoji = "😀".repeat(100); // 100 characters, 200 UTF-16 units
    assertThat(store.createRoom(hundredEmoji, false, alice).name()).isEqualTo(hundredEmoji);
    String maxUser = "ü".repeat(64);
    assertThat(store.createRoom("ok", false, maxUser).createdBy()).isEqualTo(maxUser);
  }

  @Test
  void visibleRoomsArePublicRoomsAndThePrivateRoomsTheUserTakesPartIn() {
    String alice = user("alice");
    String bob = user("bob");
    Room open = store.createRoom("open", false, alice);
    Room secret = store.createRoom("secret", true, alice);
    Room bobs = store.createRoom("bob's", true, bob);

    assertThat(store.visibleRooms(alice)).contains(open, secret).doesNotContain(bobs);
    assertThat(store.visibleRooms(bob)).contains(open, bobs).doesNotContain(secret);
    assertThat(store.visibleRooms(user("carol"))).contains(open).doesNotContain(secret, bobs);

    assertThat(store.addParticipant(secret.id(), bob)).isTrue();
    assertThat(store.visibleRooms(bob)).contains(open, secret, bobs);
    List<Room> visible = store.visibleRooms(bob);
    assertThat(visible.indexOf(open)).isLessThan(visible.indexOf(secret)); // oldest first
  }

  @Test
  void theRoomListPagesInItsOwnOrderWithoutLossOrDuplicates() {
    String alice = user("alice");
    String bob = user("bob");
    for (int i = 0; i < 7; i++) {
      store.createRoom("open " + i, false, alice);
      store.createRoom("alice's " + i, true, alice);
      store.createRoom("bob's " + i, true, bob);
    }
    for (String who : List.of(alice, bob)) {
      List<Room> all = store.visibleRooms(who);
      for (int limit : new int[] {1, 3, 50}) {
        List<Room> paged = new java.util.ArrayList<>();
        Room after = null;
        for (int guard = 0; guard < 10_000; guard++) {
          List<Room> page = store.visibleRooms(who, after, limit);
          assertThat(page.size()).isLessThanOrEqualTo(limit);
          paged.addAll(page);
          if (page.size() < limit) {
            break;
          }
          after = page.get(page.size() - 1);
        }
        assertThat(paged).as("limit " + limit).containsExactlyElementsOf(all);
      }
    }
  }

  // ---- participants -------------------------------------------------------------------------

  @Test
  void addingAParticipantTwiceIsHarmless() {
    String alice = user("alice");
    String bob = user("bob");
    Room room = store.createRoom("team", true, alice);

    assertThat(store.isParticipant(room.id(), bob)).isFalse();
    assertThat(store.addParticipant(room.id(), bob)).isTrue();
    assertThat(store.addParticipant(room.id(), bob)).isFalse();
    assertThat(store.isParticipant(room.id(), bob)).isTrue();
    assertThat(store.addParticipant(room.id(), alice)).isFalse();
  }

  @Test
  void addingAParticipantToAnUnknownRoomFails() {
    String missing = ChatIds.newId();
    assertThatThrownBy(() -> store.addParticipant(missing, user("bob")))
        .isInstanceOf(NoSuchRoomException.class)
        .hasMessageContaining(missing);
    assertThatThrownBy(() -> store.addParticipant("garbage", user("bob")))
        .isInstanceOf(NoSuchRoomException.class);
    Room room = store.createRoom("r", false, user("alice"));
    assertThatThrownBy(() -> store.addParticipant(room.id(), "bad\nid"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control characters");
  }

  // ---- messages -----------------------------------------------------------------------------

  @Test
  void appendedMessagesGetIdsIncreasingSeqAndTimestamps() {
    String alice = user("alice");
    Room room = store.createRoom("chat", false, alice);
    Instant before = Instant.now().minusSeconds(5);

    ChatMessage first = send(room, alice, "hello");
    ChatMessage second =
        await(
            store.append(
                new NewMessage(
                    null, room.id(), "assistant", "Assistant", "hi!", MessageKind.ASSISTANT)));
    ChatMessage third =
        await(
            store.append(
                new NewMessage(null, room.id(), "system", "System", "joined", MessageKind.SYSTEM)));

    assertThat(ChatIds.isValid(first.id())).isTrue();
    assertThat(first.roomId()).isEqualTo(room.id());
    assertThat(first.senderId()).isEqualTo(alice);
    assertThat(first.senderName()).isEqualTo("Name " + alice);
    assertThat(first.content()).isEqualTo("hello");
    assertThat(first.kind()).isEqualTo(MessageKind.USER);
    assertThat(first.createdAt()).isAfter(before).isBeforeOrEqualTo(second.createdAt());
    assertThat(List.of(first.seq(), second.seq(), third.seq())).containsExactly(1L, 2L, 3L);
    assertThat(second.kind()).isEqualTo(MessageKind.ASSISTANT);
    assertThat(third.kind()).isEqualTo(MessageKind.SYSTEM);
    assertThat(Set.of(first.id(), second.id(), third.id())).hasSize(3);

    assertThat(store.history(room.id(), null, 50).items()).containsExactly(first, second, third);
  }

  @Test
  void eachRoomHasItsOwnSeq() {
    String alice = user("alice");
    Room a = store.createRoom("a", false, alice);
    Room b = store.createRoom("b", false, alice);
    assertThat(send(a, alice, "1").seq()).isEqualTo(1);
    assertThat(send(a, alice, "2").seq()).isEqualTo(2);
    assertThat(send(b, alice, "1").seq()).isEqualTo(1);
    assertThat(send(a, alice, "3").seq()).isEqualTo(3);
  }

  @Test
  void aMessageCanBeStoredUnderAnIdChosenBeforehand() {
    String alice = user("alice");
    Room room = store.createRoom("assistant", false, alice);
    String id = ChatIds.newId();
    ChatMessage stored =
        await(
            store.append(
                new NewMessage(
                    id, room.id(), "gpt", "Assistant", "answer", MessageKind.ASSISTANT)));
    assertThat(stored.id()).isEqualTo(id);
    assertThat(store.history(room.id(), null, 1).items()).containsExactly(stored);

    assertThatThrownBy(
            () ->
                await(
                    store.append(
                        new NewMessage(id, room.id(), alice, "A", "again", MessageKind.USER))))
        .isInstanceOf(ChatStoreException.class)
        .hasMessageContaining(id);
    assertThat(store.history(room.id(), null, 10).items()).containsExactly(stored);
    assertThatThrownBy(() -> NewMessage.user(room.id(), alice, "A", "x").withId("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id must be an id");
  }

  @Test
  void appendingToAnUnknownRoomFailsWithoutStoringAnything() {
    String missing = ChatIds.newId();
    assertThatThrownBy(() -> await(store.append(NewMessage.user(missing, "u", "U", "hello"))))
        .isInstanceOf(NoSuchRoomException.class)
        .hasMessageContaining(missing);
    assertThatThrownBy(() -> await(store.append(NewMessage.user("garbage", "u", "U", "hello"))))
        .isInstanceOf(NoSuchRoomException.class);
  }

  @Test
  void appendAllStoresInOrderAndAtomically() {
    String alice = user("alice");
    Room a = store.createRoom("a", false, alice);
    Room b = store.createRoom("b", false, alice);
    List<ChatMessage> stored =
        await(
            store.appendAll(
                List.of(
                    NewMessage.user(a.id(), alice, "A", "a1"),
                    NewMessage.user(b.id(), alice, "A", "b1"),
                    NewMessage.user(a.id(), alice, "A", "a2"))));
    assertThat(stored).extracting(ChatMessage::content).containsExactly("a1", "b1", "a2");
    assertThat(stored).extracting(ChatMessage::seq).containsExactly(1L, 1L, 2L);
    assertThat(store.history(a.id(), null, 10).items())
        .extracting(ChatMessage::content)
        .containsExactly("a1", "a2");

    assertThatThrownBy(
            () ->
                await(
                    store.appendAll(
                        List.of(
                            NewMessage.user(a.id(), alice, "A", "a3"),
                            NewMessage.user(ChatIds.newId(), alice, "A", "lost")))))
        .isInstanceOf(NoSuchRoomException.class);
    assertThat(store.history(a.id(), null, 10).items()).hasSize(2);
    assertThat(send(a, alice, "a3").seq()).isEqualTo(3);

    assertThatThrownBy(() -> await(store.appendAll(List.of())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentSendersGetDistinctGaplessSeqs() throws Exception {
    String alice = user("alice");
    Room room = store.createRoom("busy", false, alice);
    int senders = 16;
    int perSender = 25;
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      List<CompletableFuture<ChatMessage>> futures = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        int sender = s;
        futures.add(
            CompletableFuture.supplyAsync(() -> sender, pool)
                .thenCompose(
                    x ->
                        CompletableFuture.allOf(
                                IntStream.range(0, perSender)
                                    .mapToObj(
                                        i ->
                                            store.append(
                                                NewMessage.user(
                                                    room.id(), alice, "A", sender + ":" + i)))
                                    .toArray(CompletableFuture[]::new))
                            .thenApply(v -> null)));
      }
      for (CompletableFuture<ChatMessage> f : futures) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    List<ChatMessage> all = pageAll(room, 200);
    assertThat(all).hasSize(senders * perSender);
    assertThat(all)
        .extracting(ChatMessage::seq)
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, senders * perSender)
                .mapToObj(Long::valueOf)
                .collect(Collectors.toList()));
    assertThat(all.stream().map(ChatMessage::content).collect(Collectors.toSet()))
        .hasSize(senders * perSender);
  }

  // ---- history ------------------------------------------------------------------------------

  @Test
  void historyOfAnEmptyRoomIsEmpty() {
    Room room = store.createRoom("quiet", false, user("alice"));
    MessagePage page = store.history(room.id(), null, 50);
    assertThat(page.items()).isEmpty();
    assertThat(page.nextBefore()).isNull();
  }

  @Test
  void historyPagesBackwardsWithoutLossOrDuplicates() {
    String alice = user("alice");
    Room room = store.createRoom("long", false, alice);
    Room other = store.createRoom("other", false, alice);
    List<NewMessage> batch = new ArrayList<>();
    for (int i = 1; i <= 125; i++) {
      batch.add(NewMessage.user(room.id(), alice, "A", "m" + i));
      if (i % 10 == 0) {
        batch.add(NewMessage.user(other.id(), alice, "A", "noise" + i));
      }
    }
    await(store.appendAll(batch));

    MessagePage newest = store.history(room.id(), null, 50);
    assertThat(newest.items())
        .extracting(ChatMessage::content)
        .containsExactlyElementsOf(range(76, 125));
    assertThat(newest.nextBefore()).isEqualTo(newest.items().get(0).id());

    MessagePage middle = store.history(room.id(), newest.nextBefore(), 50);
    assertThat(middle.items())
        .extracting(ChatMessage::content)
        .containsExactlyElementsOf(range(26, 75));

    MessagePage oldest = store.history(room.id(), middle.nextBefore(), 50);
    assertThat(oldest.items())
        .extracting(ChatMessage::content)
        .containsExactlyElementsOf(range(1, 25));
    assertThat(oldest.nextBefore()).isNull();

    List<ChatMessage> all = pageAll(room, 7);
    assertThat(all).extracting(ChatMessage::content).containsExactlyElementsOf(range(1, 125));
    assertThat(all.stream().map(ChatMessage::id).collect(Collectors.toSet())).hasSize(125);
  }

  @Test
  void aPageThatEndsExactlyAtTheFirstMessageHasNoNextBefore() {
    String alice = user("alice");
    Room room = store.createRoom("exact", false, alice);
    List<NewMessage> batch = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      batch.add(NewMessage.user(room.id(), alice, "A", "m" + i));
    }
    await(store.appendAll(batch));
    MessagePage newest = store.history(room.id(), null, 2);
    assertThat(newest.items()).extracting(ChatMessage::content).containsExactly("m3", "m4");
    MessagePage rest = store.history(room.id(), newest.nextBefore(), 2);
    assertThat(rest.items()).extracting(ChatMessage::content).containsExactly("m1", "m2");
    assertThat(rest.nextBefore()).isNull();
    MessagePage beforeFirst = store.history(room.id(), rest.items().get(0).id(), 2);
    assertThat(beforeFirst.items()).isEmpty();
    assertThat(beforeFirst.nextBefore()).isNull();
    assertThat(store.history(room.id(), null, 4).nextBefore()).isNull();
  }

  @Test
  void historyRejectsBadArguments() {
    String alice = user("alice");
    Room room = store.createRoom("r", false, alice);
    Room other = store.createRoom("o", false, alice);
    ChatMessage elsewhere = send(other, alice, "x");

    assertThatThrownBy(() -> store.history(room.id(), null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit must be between 1 and 200");
    assertThatThrownBy(() -> store.history(room.id(), null, 201))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.history(room.id(), elsewhere.id(), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before");
    assertThatThrownBy(() -> store.history(room.id(), "1 or 1=1", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before");
    assertThatThrownBy(() -> store.history(room.id(), ChatIds.newId(), 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.history(ChatIds.newId(), null, 10))
        .isInstanceOf(NoSuchRoomException.class);
    assertThat(store.history(room.id(), null, 200).items()).isEmpty();
  }

  @Test
  void historyAfterASeqPagesForwardWithoutLossOrDuplicates() {
    String alice = user("alice");
    Room room = store.createRoom("forward", false, alice);
    Room other = store.createRoom("other", false, alice);
    List<NewMessage> batch = new ArrayList<>();
    for (int i = 1; i <= 125; i++) {
      batch.add(NewMessage.user(room.id(), alice, "A", "m" + i));
      if (i % 10 == 0) {
        batch.add(NewMessage.user(other.id(), alice, "A", "noise" + i));
      }
    }
    await(store.appendAll(batch));

    MessagesAfter first = store.historyAfter(room.id(), 0, 50);
    assertThat(first.items())
        .extracting(ChatMessage::content)
        .containsExactlyElementsOf(range(1, 50));
    assertThat(first.nextAfter()).isEqualTo(50L);
    MessagesAfter middle = store.historyAfter(room.id(), first.nextAfter(), 50);
    assertThat(middle.items())
        .extracting(ChatMessage::content)
        .containsExactlyElementsOf(range(51, 100));
    MessagesAfter last = store.historyAfter(room.id(), middle.nextAfter(), 50);
    assertThat(last.items())
        .extracting(ChatMessage::content)
        .containsExactlyElementsOf(range(101, 125));
    assertThat(last.nextAfter()).isNull();

    MessagesAfter exact = store.historyAfter(room.id(), 120, 5);
    assertThat(exact.items())
        .extracting(ChatMessage::seq)
        .containsExactly(121L, 122L, 123L, 124L, 125L);
    assertThat(exact.nextAfter()).isNull();
    assertThat(store.historyAfter(room.id(), 125, 10).items()).isEmpty();
    assertThat(store.historyAfter(room.id(), 1000, 10).nextAfter()).isNull();

    List<ChatMessage> all = new ArrayList<>();
    Long after = 0L;
    while (after != null) {
      MessagesAfter page = store.historyAfter(room.id(), after, 7);
      all.addAll(page.items());
      after = page.nextAfter();
    }
    assertThat(all).extracting(ChatMessage::content).containsExactlyElementsOf(range(1, 125));
  }

  @Test
  void historyAfterRejectsBadArguments() {
    String alice = user("alice");
    Room room = store.createRoom("r", false, alice);
    assertThatThrownBy(() -> store.historyAfter(room.id(), 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> store.historyAfter(room.id(), -1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("after");
    assertThatThrownBy(() -> store.historyAfter(ChatIds.newId(), 0, 10))
        .isInstanceOf(NoSuchRoomException.class);
    assertThatThrownBy(() -> store.historyAfter("not-an-id", 0, 10))
        .isInstanceOf(NoSuchRoomException.class);
    assertThat(store.historyAfter(room.id(), 0, 200).items()).isEmpty();
  }

  // ---- content --------------------------------------------------------------------------------

  @Test
  void contentIsStoredAndReturnedByteExactly() {
    String alice = user("alice");
    Room room = store.createRoom("unicode 🌍 \"quoted\" 'single'", false, alice);
    List<String> contents =
        List.of(
            "plain",
            "emoji 😀👍🏽 and a family 👨‍👩‍👧‍👦 and a flag 🇺🇦",
            "\"double\" 'single' `back` \\backslash\\ \\' \\\"",
            "'; DROP TABLE messages; --",
            "$1 $$ :name ? %s %_ \\N",
            "tabs\tand\nnewlines\r\nand \u2028 separators \u2029",
            " ",
            "   leading and trailing   ",
            "combining e\u0301 vs \u00e9, RTL \u202eevil\u202c, zero width \u200b\u200d",
            "CJK 漢字かな한글, math 𝔸𝕓𝕔 ∑∫, old 𓀀",
            "\uFEFFbom first, replacement \uFFFD, noncharacter \uFFFF",
            "\u0001 control \u001f \u007f",
            "😀".repeat(ChatLimits.CONTENT_MAX_LENGTH),
            "x".repeat(ChatLimits.CONTENT_MAX_LENGTH));
    List<ChatMessage> stored = new ArrayList<>();
    for (String content : contents) {
      stored.add(
          await(store.append(NewMessage.user(room.id(), alice, "Ünïcødé 😀 \"Name\"", content))));
    }
    List<ChatMessage> read = store.history(room.id(), null, 200).items();
    assertThat(read).containsExactlyElementsOf(stored);
    for (int i = 0; i < contents.size(); i++) {
      assertThat(read.get(i).content().getBytes(StandardCharsets.UTF_8))
          .isEqualTo(contents.get(i).getBytes(StandardCharsets.UTF_8));
      assertThat(read.get(i).senderName()).isEqualTo("Ünïcødé 😀 \"Name\"");
    }
    assertThat(store.findRoom(room.id()).orElseThrow().name())
        .isEqualTo("unicode 🌍 \"quoted\" 'single'");
  }

  @Test
  void contentBreakingTheLimitsIsRejectedWithAClearError() {
    String room = ChatIds.newId();
    assertThatThrownBy(() -> NewMessage.user(room, "u", "U", "a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("content must not contain the NUL character (U+0000) (at index 1)");
    assertThatThrownBy(() -> NewMessage.user(room, "u", "U", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("content must be 1 to 4000 characters long (was 0)");
    assertThatThrownBy(() -> NewMessage.user(room, "u", "U", "x".repeat(4001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("content must be 1 to 4000 characters long (was 4001)");
    assertThatThrownBy(() -> NewMessage.user(room, "u", "U", "bad \uD83D surrogate"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> NewMessage.user(room, "u", "U", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("content is required");
    assertThatThrownBy(() -> NewMessage.user(room, "u", "x".repeat(101), "hi"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("senderName must be 1 to 100 characters");
    assertThatThrownBy(() -> NewMessage.user(room, "", "U", "hi"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("senderId must be 1 to 64 characters");
  }

  // ---- groups ---------------------------------------------------------------------------------

  @Test
  void groupMembershipsAreKeptPerUser() {
    String alice = user("alice");
    String bob = user("bob");
    Room a = store.createRoom("a", false, alice);
    Room b = store.createRoom("b", false, alice);

    assertThat(store.groupsOf(alice)).isEmpty();
    assertThat(store.joinGroup(alice, b.id())).isTrue();
    assertThat(store.joinGroup(alice, a.id())).isTrue();
    assertThat(store.joinGroup(alice, a.id())).isFalse();
    assertThat(store.joinGroup(bob, a.id())).isTrue();
    assertThat(store.groupsOf(alice)).containsExactly(a.id(), b.id());
    assertThat(store.groupsOf(bob)).containsExactly(a.id());

    assertThat(store.leaveGroup(alice, a.id())).isTrue();
    assertThat(store.leaveGroup(alice, a.id())).isFalse();
    assertThat(store.leaveGroup(alice, "garbage")).isFalse();
    assertThat(store.groupsOf(alice)).containsExactly(b.id());
    assertThat(store.groupsOf(bob)).containsExactly(a.id());
  }

  @Test
  void joiningAsParticipantAddsTheParticipantAndTheGroupOnce() {
    String alice = user("alice");
    String bob = user("bob");
    Room room = store.createRoom("public", false, alice);

    assertThat(store.isParticipant(room.id(), bob)).isFalse();
    assertThat(store.joinAsParticipant(bob, room.id())).isTrue();
    assertThat(store.isParticipant(room.id(), bob)).isTrue();
    assertThat(store.groupsOf(bob)).containsExactly(room.id());
    assertThat(store.joinAsParticipant(bob, room.id())).isFalse();
    // Already a participant (the creator), not yet in the group: joins the group.
    assertThat(store.joinAsParticipant(alice, room.id())).isTrue();
    assertThat(store.groupsOf(alice)).containsExactly(room.id());
    // Left the group, still a participant: joins again.
    assertThat(store.leaveGroup(bob, room.id())).isTrue();
    assertThat(store.joinAsParticipant(bob, room.id())).isTrue();
    assertThatThrownBy(() -> store.joinAsParticipant(bob, ChatIds.newId()))
        .isInstanceOf(NoSuchRoomException.class);
    assertThatThrownBy(() -> store.joinAsParticipant(bob, "garbage"))
        .isInstanceOf(NoSuchRoomException.class);
    assertThatThrownBy(() -> store.joinAsParticipant("", room.id()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void joiningTheGroupOfAnUnknownRoomFails() {
    assertThatThrownBy(() -> store.joinGroup(user("alice"), ChatIds.newId()))
        .isInstanceOf(NoSuchRoomException.class);
    assertThatThrownBy(() -> store.joinGroup(user("alice"), "garbage"))
        .isInstanceOf(NoSuchRoomException.class);
  }

  /** An executor a store's own asynchronous joins and group reads must not need. */
  static final java.util.concurrent.Executor NOT_TO_BE_USED =
      task -> {
        throw new AssertionError("the store blocked a thread of the caller's executor");
      };

  @Test
  void asynchronousJoinsAnswerAsTheBlockingOnesWithoutTheCallersExecutor() {
    String alice = user("alice");
    String bob = user("bob");
    Room room = store.createRoom("public", false, alice);
    Room other = store.createRoom("other", false, alice);

    assertThat(store.joinAsync(bob, room.id(), true, NOT_TO_BE_USED).join()).isTrue();
    assertThat(store.isParticipant(room.id(), bob)).isTrue();
    assertThat(store.joinAsync(bob, room.id(), true, NOT_TO_BE_USED).join()).isFalse();
    assertThat(store.joinAsync(bob, other.id(), false, NOT_TO_BE_USED).join()).isTrue();
    assertThat(store.isParticipant(other.id(), bob)).isFalse(); // only the group
    assertThat(store.groupsOfAsync(bob, NOT_TO_BE_USED).join())
        .containsExactlyElementsOf(store.groupsOf(bob))
        .containsExactlyInAnyOrder(room.id(), other.id());
    assertThat(store.groupsOfAsync(user("nobody"), NOT_TO_BE_USED).join()).isEmpty();

    assertThat(store.joinAsync(bob, ChatIds.newId(), true, NOT_TO_BE_USED))
        .failsWithin(WAIT)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(NoSuchRoomException.class);
    assertThat(store.joinAsync(bob, "garbage", false, NOT_TO_BE_USED))
        .failsWithin(WAIT)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(NoSuchRoomException.class);
    assertThat(store.joinAsync("", room.id(), true, NOT_TO_BE_USED))
        .failsWithin(WAIT)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentAsynchronousJoinsOfOneUserAndRoomJoinOnce() {
    String alice = user("alice");
    Room room = store.createRoom("public", false, alice);
    List<CompletableFuture<Boolean>> joins = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      joins.add(store.joinAsync(alice, room.id(), true, NOT_TO_BE_USED));
    }
    assertThat(joins.stream().map(CompletableFuture::join).filter(b -> b).count()).isEqualTo(1);
    assertThat(store.groupsOf(alice)).containsExactly(room.id());
  }

  // ---- health ---------------------------------------------------------------------------------

  @Test
  void pingReportsHealthy() {
    StoreHealth health = store.ping();
    assertThat(health.healthy()).as(health.detail()).isTrue();
    assertThat(health.latency()).isLessThan(WAIT);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Every message of the room, oldest first, read page by page. */
  protected List<ChatMessage> pageAll(Room room, int limit) {
    List<ChatMessage> all = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String before = null;
    int pages = 0;
    do {
      MessagePage page = store.history(room.id(), before, limit);
      assertThat(page.items().size()).isLessThanOrEqualTo(limit);
      for (ChatMessage m : page.items()) {
        assertThat(seen.add(m.id())).as("duplicate %s", m.id()).isTrue();
      }
      all.addAll(0, page.items());
      before = page.nextBefore();
      assertThat(++pages).as("pages").isLessThan(10_000);
    } while (before != null);
    return all;
  }

  private static List<String> range(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> "m" + i).collect(Collectors.toList());
  }
}
