package org.jvmchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.server.support.TestHubClient;
import org.jvmchat.server.support.TestServer;

/** The chat hub through a real WebSocket connection (JSON protocol) to the in-JVM server. */
class ChatHubTest {
  TestServer server;

  @BeforeEach
  void start() {
    server = new TestServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void joinRoomCompletesWithTheRoomAndTellsTheOthers() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    JsonNode joined = alice.call("JoinRoom", room);
    assertThat(joined.get("id").asText()).isEqualTo(room);
    assertThat(joined.get("name").asText()).isEqualTo("General");
    assertThat(joined.get("isPrivate").asBoolean()).isFalse();

    bob.call("JoinRoom", room);
    JsonNode event = alice.awaitEvent("UserJoined", e -> e.get("userId").asText().equals("bob"));
    assertThat(event.get("roomId").asText()).isEqualTo(room);
    assertThat(event.get("userName").asText()).isEqualTo("Bob");
    assertThat(bob.events("UserJoined")).noneMatch(e -> e.get("userId").asText().equals("bob"));
  }

  @Test
  void sendMessageStoresItAndEveryoneInTheRoomGetsItExactlyAsSent() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    TestHubClient carol = server.connect("carol"); // not in the room
    alice.call("JoinRoom", room);
    bob.call("JoinRoom", room);
    String content = "  <b>hi</b> & \"quotes\" \uD83D\uDE00\n\ttabs \u001e ";
    JsonNode stored = alice.call("SendMessage", room, content);
    assertThat(stored.get("content").asText()).isEqualTo(content);
    assertThat(stored.get("senderId").asText()).isEqualTo("alice");
    assertThat(stored.get("senderName").asText()).isEqualTo("Alice");
    assertThat(stored.get("kind").asText()).isEqualTo("user");
    assertThat(stored.get("roomId").asText()).isEqualTo(room);
    String id = stored.get("id").asText();

    assertThat(bob.awaitEvent("ReceiveMessage", m -> m.get("id").asText().equals(id)))
        .isEqualTo(stored);
    assertThat(alice.awaitEvent("ReceiveMessage", m -> m.get("id").asText().equals(id)))
        .isEqualTo(stored);
    JsonNode history =
        TestServer.json(
            server.get("/api/v1/rooms/" + room + "/messages", server.token("bob", "Bob")));
    assertThat(history.get("items").get(0)).isEqualTo(stored);
    // carol's connection never joined: nothing for her (checked after the others got theirs)
    assertThat(carol.events("ReceiveMessage")).isEmpty();
  }

  @Test
  void errorsCompleteTheInvocationWithAReadableMessageAndKeepTheConnection() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    assertThatThrownBy(() -> alice.call("JoinRoom", "0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d"))
        .hasMessageContaining("There is no room with id");
    assertThatThrownBy(() -> alice.call("JoinRoom", "nope")).hasMessageContaining("roomId must be");
    assertThatThrownBy(() -> alice.call("SendMessage", room, ""))
        .hasMessageContaining("content must be 1 to 4000 characters long (was 0)");
    assertThatThrownBy(() -> alice.call("SendMessage", room, "x".repeat(4001)))
        .hasMessageContaining("content must be 1 to 4000 characters long (was 4001)");
    assertThatThrownBy(() -> alice.call("SendMessage", room, "a\u0000b"))
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> alice.call("SendMessage", room, (Object) null))
        .hasMessageContaining("content is required");
    assertThat(alice.isClosed()).isFalse();
    assertThat(alice.call("SendMessage", room, "still here").get("content").asText())
        .isEqualTo("still here");
    // 4000 characters of emoji (8000 UTF-16 units) are within the limit
    String emoji = "\uD83D\uDE00".repeat(4000);
    assertThat(alice.call("SendMessage", room, emoji).get("content").asText()).isEqualTo(emoji);
  }

  @Test
  void privateRoomsAreCheckedOnEveryCallNotOnlyOnJoin() throws Exception {
    String room = server.createRoom("alice", "secret", true);
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    alice.call("JoinRoom", room);
    assertThatThrownBy(() -> bob.call("JoinRoom", room)).hasMessageContaining("is private");
    assertThatThrownBy(() -> bob.call("SendMessage", room, "let me in"))
        .hasMessageContaining("is private");
    assertThatThrownBy(() -> bob.call("SendTyping", room)).hasMessageContaining("is private");
    assertThat(
            TestServer.json(
                    server.get("/api/v1/rooms/" + room + "/messages", server.token("alice", "A")))
                .get("items"))
        .isEmpty();
    assertThat(alice.events("UserTyping")).isEmpty();

    assertThat(
            server
                .post(
                    "/api/v1/rooms/" + room + "/participants",
                    server.token("alice", "Alice"),
                    "{\"userId\":\"bob\"}")
                .statusCode())
        .isEqualTo(204);
    bob.call("JoinRoom", room);
    JsonNode m = bob.call("SendMessage", room, "thanks");
    alice.awaitEvent("ReceiveMessage", e -> e.get("id").equals(m.get("id")));
  }

  @Test
  void joinRoomOfRoomsTheServerHasNotCachedAsksTheStoreAndChecksAsStrictly() throws Exception {
    // Written to the store directly: the access cache has not seen them, so JoinRoom (run on the
    // I/O thread when the cache answers) takes the hub executor and asks the store.
    org.jvmchat.persistence.Room secret = server.store.createRoom("secret", true, "alice");
    server.store.addParticipant(secret.id(), "bob");
    org.jvmchat.persistence.Room lobby = server.store.createRoom("lobby", false, "alice");
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    TestHubClient bobLaptop = server.connect("bob");
    TestHubClient mallory = server.connect("mallory");

    assertThat(alice.call("JoinRoom", secret.id()).get("isPrivate").asBoolean()).isTrue();
    assertThat(bob.call("JoinRoom", secret.id()).get("id").asText()).isEqualTo(secret.id());
    JsonNode bobJoined =
        alice.awaitEvent("UserJoined", e -> e.get("roomId").asText().equals(secret.id()));
    assertThat(bobJoined.get("userId").asText()).isEqualTo("bob");
    assertThatThrownBy(() -> mallory.call("JoinRoom", secret.id()))
        .hasMessageContaining("is private");
    assertThat(mallory.call("JoinRoom", lobby.id()).get("name").asText()).isEqualTo("lobby");
    // Now cached: a second join of the lobby is answered on the I/O thread, the same way.
    assertThat(bob.call("JoinRoom", lobby.id()).get("id").asText()).isEqualTo(lobby.id());
    JsonNode bobInLobby =
        mallory.awaitEvent("UserJoined", e -> e.get("roomId").asText().equals(lobby.id()));
    assertThat(bobInLobby.get("userId").asText()).isEqualTo("bob");
    assertThat(server.store.groupsOf("bob")).containsExactlyInAnyOrder(secret.id(), lobby.id());
    assertThat(server.store.groupsOf("mallory")).containsExactly(lobby.id());
    // Both of bob's connections are in both rooms: a message reaches the laptop, which never
    // joined.
    JsonNode m = alice.call("SendMessage", secret.id(), "to both devices");
    bobLaptop.awaitEvent("ReceiveMessage", e -> e.get("id").equals(m.get("id")));
    JsonNode l = mallory.call("SendMessage", lobby.id(), "lobby");
    bobLaptop.awaitEvent("ReceiveMessage", e -> e.get("id").equals(l.get("id")));
    assertThat(mallory.events("ReceiveMessage")).noneMatch(e -> e.get("id").equals(m.get("id")));
    // Joining again is no news: no second UserJoined.
    bob.call("JoinRoom", lobby.id());
    JsonNode marker = bob.call("SendMessage", lobby.id(), "marker");
    mallory.awaitEvent("ReceiveMessage", e -> e.get("id").equals(marker.get("id")));
    assertThat(mallory.events("UserJoined"))
        .filteredOn(e -> e.get("userId").asText().equals("bob"))
        .hasSize(1);
  }

  @Test
  void typingAndJoinsGoToTheOtherUsersOnly() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    TestHubClient bobLaptop = server.connect("bob");
    alice.call("JoinRoom", room);
    bob.call("JoinRoom", room);
    bob.call("SendTyping", room);
    JsonNode typing = alice.awaitEvent("UserTyping", e -> true);
    assertThat(typing.get("userId").asText()).isEqualTo("bob");
    assertThat(typing.get("userName").asText()).isEqualTo("Bob");
    assertThat(typing.get("roomId").asText()).isEqualTo(room);
    // a message sent after the typing event reaches bob, and the typing event did not
    JsonNode m = alice.call("SendMessage", room, "after typing");
    bob.awaitEvent("ReceiveMessage", e -> e.get("id").equals(m.get("id")));
    bobLaptop.awaitEvent("ReceiveMessage", e -> e.get("id").equals(m.get("id")));
    assertThat(bob.events("UserTyping")).isEmpty();
    assertThat(bobLaptop.events("UserTyping")).isEmpty(); // not to the typist's other devices
    assertThat(bobLaptop.events("UserJoined")).isEmpty();
  }

  @Test
  void leaveRoomTellsTheOthersAndStopsDeliveryOnEveryDeviceOfTheUser() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    TestHubClient bobPhone = server.connect("bob");
    TestHubClient bobLaptop = server.connect("bob");
    alice.call("JoinRoom", room);
    bobPhone.call("JoinRoom", room);
    // joining on one device put the other device in the room as well
    JsonNode first = alice.call("SendMessage", room, "one");
    bobLaptop.awaitEvent("ReceiveMessage", e -> e.get("id").equals(first.get("id")));

    bobLaptop.call("LeaveRoom", room);
    JsonNode left = alice.awaitEvent("UserLeft", e -> true);
    assertThat(left.get("userId").asText()).isEqualTo("bob");
    JsonNode second = alice.call("SendMessage", room, "two");
    alice.awaitEvent("ReceiveMessage", e -> e.get("id").equals(second.get("id")));
    JsonNode third = alice.call("SendMessage", room, "three");
    alice.awaitEvent("ReceiveMessage", e -> e.get("id").equals(third.get("id")));
    assertThat(bobPhone.events("ReceiveMessage")).containsExactly(first);
    assertThat(bobLaptop.events("ReceiveMessage")).containsExactly(first);
    assertThat(server.store.groupsOf("bob")).doesNotContain(room);
  }

  @Test
  void aUserWhoJoinedIsBackInTheRoomOnEachNewConnection() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    alice.call("JoinRoom", room);
    TestHubClient bob = server.connect("bob");
    bob.call("JoinRoom", room);
    bob.close();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.server.hubServer().connectionCount() == 1);

    TestHubClient bobAgain = server.connect("bob").awaitConnected(); // never calls JoinRoom
    JsonNode m = alice.call("SendMessage", room, "welcome back");
    assertThat(bobAgain.awaitEvent("ReceiveMessage", e -> e.get("id").equals(m.get("id"))))
        .isEqualTo(m);
  }

  @Test
  void sendMessageToRoomsTheServerHasNotCachedAsksTheStoreAndChecksAsStrictly() throws Exception {
    // Rooms and participants written to the store directly: the access cache has not seen them,
    // so SendMessage (run on the I/O thread) asks the store on the hub executor.
    org.jvmchat.persistence.Room secret = server.store.createRoom("secret", true, "alice");
    org.jvmchat.persistence.Room lobby = server.store.createRoom("lobby", false, "alice");
    TestHubClient alice = server.connect("alice");
    TestHubClient mallory = server.connect("mallory");
    JsonNode m = alice.call("SendMessage", secret.id(), "cold cache");
    assertThat(m.get("content").asText()).isEqualTo("cold cache");
    assertThat(m.get("roomId").asText()).isEqualTo(secret.id());
    assertThatThrownBy(() -> mallory.call("SendMessage", secret.id(), "let me in"))
        .hasMessageContaining("is private");
    assertThatThrownBy(
            () -> mallory.call("SendMessage", "0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d", "hello"))
        .hasMessageContaining("There is no room with id");
    assertThatThrownBy(() -> mallory.call("SendMessage", lobby.id(), ""))
        .hasMessageContaining("content must be 1 to 4000 characters long (was 0)");
    assertThat(mallory.call("SendMessage", lobby.id(), "public").get("content").asText())
        .isEqualTo("public");
    // Now cached: the same answers, without the store.
    assertThat(alice.call("SendMessage", secret.id(), "warm cache").get("seq").asLong())
        .isEqualTo(m.get("seq").asLong() + 1);
    assertThatThrownBy(() -> mallory.call("SendMessage", secret.id(), "again"))
        .hasMessageContaining("is private");
    assertThat(mallory.isClosed()).isFalse();
    assertThat(server.store.history(secret.id(), null, 10).items())
        .extracting(org.jvmchat.persistence.ChatMessage::content)
        .containsExactlyInAnyOrder("cold cache", "warm cache");
  }

  @Test
  void aSendThatWaitsForTheStoreIsStillAppendedBeforeTheOverlappingSendsAfterIt() throws Exception {
    // alice's first SendMessage misses the access cache and its store look-up is held; meanwhile
    // bob's JoinRoom fills the cache, so alice's next SendMessages (overlapping the first, as
    // HUB_MAX_PARALLEL_INVOCATIONS allows) are answered from it at once. Each must still be
    // appended after the one before it.
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean holdNext =
        new java.util.concurrent.atomic.AtomicBoolean();
    org.jvmchat.persistence.InMemoryChatStore real =
        new org.jvmchat.persistence.InMemoryChatStore();
    org.jvmchat.persistence.ChatStore slow =
        (org.jvmchat.persistence.ChatStore)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {org.jvmchat.persistence.ChatStore.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("findRoom") && holdNext.compareAndSet(true, false)) {
                    held.countDown();
                    release.await(10, TimeUnit.SECONDS);
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    server.close();
    server =
        new TestServer(
            org.jvmchat.server.config.ChatSettings.builder()
                .port(0)
                .host("127.0.0.1")
                .shutdownGrace(Duration.ofSeconds(2)),
            slow);
    org.jvmchat.persistence.Room cold = real.createRoom("cold", false, "alice");
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    try {
      holdNext.set(true);
      java.util.concurrent.CompletableFuture<JsonNode> first =
          alice.invoke("SendMessage", cold.id(), "first");
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
      bob.call("JoinRoom", cold.id()); // the room is in the access cache from now on
      java.util.List<java.util.concurrent.CompletableFuture<JsonNode>> next =
          new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        next.add(alice.invoke("SendMessage", cold.id(), "next " + i));
      }
      // Invocations start in the order sent: once this one completed, the five have started.
      alice.call("JoinRoom", cold.id());
      release.countDown();
      long previous = first.get(10, TimeUnit.SECONDS).get("seq").asLong();
      for (int i = 0; i < 5; i++) {
        JsonNode m = next.get(i).get(10, TimeUnit.SECONDS);
        assertThat(m.get("content").asText()).isEqualTo("next " + i);
        assertThat(m.get("seq").asLong()).isGreaterThan(previous);
        previous = m.get("seq").asLong();
      }
    } finally {
      release.countDown();
    }
  }

  @Test
  void aParticipantRemovedFromTheStoreIsNotPutBackInAPrivateRoomsGroup() throws Exception {
    // Group memberships are re-checked against access when a connection starts.
    String room = server.createRoom("alice", "secret", true);
    server.store.addParticipant(room, "bob");
    server.store.joinGroup("bob", room);
    server.store.joinGroup("mallory", room); // a stale membership without participation
    TestHubClient alice = server.connect("alice");
    alice.call("JoinRoom", room);
    TestHubClient bob = server.connect("bob").awaitConnected();
    TestHubClient mallory = server.connect("mallory").awaitConnected();
    JsonNode m = alice.call("SendMessage", room, "for participants");
    bob.awaitEvent("ReceiveMessage", e -> e.get("id").equals(m.get("id")));
    JsonNode marker = bob.call("SendMessage", room, "marker");
    alice.awaitEvent("ReceiveMessage", e -> e.get("id").equals(marker.get("id")));
    assertThat(mallory.events("ReceiveMessage")).isEmpty();
  }

  @Test
  void unknownMethodsAndWrongArgumentsFailTheInvocationOnly() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    assertThat(alice.stream("StreamAssistant", room, "hi").completion.get(10, TimeUnit.SECONDS))
        .contains("HubException: The assistant is not configured on this server");
    assertThatThrownBy(() -> alice.call("NoSuchMethod", room))
        .hasMessageContaining("Unknown hub method 'NoSuchMethod'");
    assertThatThrownBy(() -> alice.call("SendMessage", room))
        .hasMessageContaining("Failed to invoke 'SendMessage'");
    assertThatThrownBy(() -> alice.call("JoinRoom", 42)).hasMessageContaining("JoinRoom");
    assertThat(alice.call("JoinRoom", room).get("id").asText()).isEqualTo(room);
  }
}
