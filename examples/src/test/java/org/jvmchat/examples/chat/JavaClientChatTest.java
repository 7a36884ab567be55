package org.jvmchat.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.client.HubConnectionState;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * chat-client-java against the reference chat server's hub {@code /hubs/chat} (CONTRACT.md), in
 * this JVM on a free port: two users with dev tokens join a room, talk, type and leave over every
 * transport and protocol; a private room answers with an error completion; no token, no connection.
 */
class JavaClientChatTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static ChatTestServer server;
  private final List<HubConnection> opened = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    server = new ChatTestServer();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closeConnections() {
    opened.forEach(HubConnection::close);
  }

  static Stream<Arguments> transportsAndProtocols() {
    return Stream.of(
        Arguments.of(HttpTransportType.WebSockets, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.WebSockets, new MessagePackHubProtocol()),
        Arguments.of(HttpTransportType.ServerSentEvents, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new MessagePackHubProtocol()));
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private HubConnection connect(
      String token, HttpTransportType transport, HubProtocol protocol, Events events) {
    HubConnection c =
        HubConnectionBuilder.create(server.hubUrl())
            .accessTokenProvider(() -> token)
            .transports(transport)
            .protocol(protocol)
            .build();
    opened.add(c);
    c.on("ReceiveMessage", JsonNode.class, events.messages::add);
    c.on("UserJoined", JsonNode.class, events.joined::add);
    c.on("UserLeft", JsonNode.class, events.left::add);
    c.on("UserTyping", JsonNode.class, events.typing::add);
    join(c.start());
    return c;
  }

  static final class Events {
    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    final List<JsonNode> joined = new CopyOnWriteArrayList<>();
    final List<JsonNode> left = new CopyOnWriteArrayList<>();
    final List<JsonNode> typing = new CopyOnWriteArrayList<>();
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("transportsAndProtocols")
  void twoUsersTalkInARoom(HttpTransportType transport, HubProtocol protocol) throws Exception {
    String suffix = transport.name() + "-" + protocol.name();
    String aliceId = "alice-" + suffix;
    String bobId = "bob-" + suffix;
    String aliceToken = server.devToken(aliceId, "Alice");
    String bobToken = server.devToken(bobId, "Bob");
    String roomId = server.createRoom(aliceToken, "Room " + suffix, false);

    Events alice = new Events();
    Events bob = new Events();
    HubConnection a = connect(aliceToken, transport, protocol, alice);
    HubConnection b = connect(bobToken, transport, protocol, bob);

    JsonNode room = join(a.invoke(JsonNode.class, "JoinRoom", roomId));
    assertThat(room.get("id").asText()).isEqualTo(roomId);
    assertThat(room.get("name").asText()).isEqualTo("Room " + suffix);
    assertThat(room.get("isPrivate").asBoolean()).isFalse();
    join(b.invoke(JsonNode.class, "JoinRoom", roomId));
    await().atMost(WAIT).until(() -> !alice.joined.isEmpty());
    assertThat(alice.joined.get(0).get("userId").asText()).isEqualTo(bobId);
    assertThat(alice.joined.get(0).get("userName").asText()).isEqualTo("Bob");
    assertThat(alice.joined.get(0).get("roomId").asText()).isEqualTo(roomId);

    String content = "héllo \u001e ✓ <b>\"quoted\"</b>";
    JsonNode stored = join(b.invoke(JsonNode.class, "SendMessage", roomId, content));
    assertThat(stored.get("content").asText()).isEqualTo(content);
    assertThat(stored.get("senderId").asText()).isEqualTo(bobId);
    assertThat(stored.get("kind").asText()).isEqualTo("user");
    await().atMost(WAIT).until(() -> !alice.messages.isEmpty() && !bob.messages.isEmpty());
    for (JsonNode m : List.of(alice.messages.get(0), bob.messages.get(0))) {
      assertThat(m.get("id").asText()).isEqualTo(stored.get("id").asText());
      assertThat(m.get("content").asText()).isEqualTo(content);
      assertThat(m.get("senderName").asText()).isEqualTo("Bob");
      assertThat(m.get("roomId").asText()).isEqualTo(roomId);
    }

    join(a.invoke(Object.class, "SendTyping", roomId));
    await().atMost(WAIT).until(() -> !bob.typing.isEmpty());
    assertThat(bob.typing.get(0).get("userId").asText()).isEqualTo(aliceId);

    join(b.invoke(Object.class, "LeaveRoom", roomId));
    await().atMost(WAIT).until(() -> !alice.left.isEmpty());
    assertThat(alice.left.get(0).get("userName").asText()).isEqualTo("Bob");
    // Bob left: Alice's next message reaches only Alice.
    join(a.invoke(JsonNode.class, "SendMessage", roomId, "after bob left"));
    await().atMost(WAIT).until(() -> alice.messages.size() == 2);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> bob.messages.size() == 1);
    assertThat(alice.typing).isEmpty();
  }

  @Test
  void aPrivateRoomAnswersWithAnErrorCompletionAndTheConnectionStays() throws Exception {
    String ownerToken = server.devToken("carol", "Carol");
    String strangerToken = server.devToken("mallory", "Mallory");
    String secret = server.createRoom(ownerToken, "Secret", true);
    Events events = new Events();
    HubConnection m =
        connect(strangerToken, HttpTransportType.WebSockets, new JsonHubProtocol(), events);

    for (CompletableFuture<JsonNode> call :
        List.of(
            m.invoke(JsonNode.class, "JoinRoom", secret),
            m.invoke(JsonNode.class, "SendMessage", secret, "let me in"))) {
      assertThat(call)
          .failsWithin(WAIT)
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOf(HubException.class)
          .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
    }
    assertThat(m.invoke(JsonNode.class, "JoinRoom", "not-an-id"))
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(HubException.class);
    assertThat(m.state()).isEqualTo(HubConnectionState.Connected);
    assertThat(events.messages).isEmpty();
    String open = server.createRoom(strangerToken, "Open", false);
    assertThat(join(m.invoke(JsonNode.class, "JoinRoom", open)).get("name").asText())
        .isEqualTo("Open");
  }

  @Test
  void withoutATokenNoConnectionIsOpened() {
    HubConnection anonymous = HubConnectionBuilder.create(server.hubUrl()).build();
    opened.add(anonymous);
    assertThat(anonymous.start())
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(HubConnectionException.class)
        .withMessageContaining("401");
    assertThat(anonymous.state()).isEqualTo(HubConnectionState.Disconnected);
  }
}
