package org.jvmchat.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.spi.ScaleoutLifetimeManagers;

/**
 * End to end: two {@link HubServer}s in this JVM share the real Redis through their own {@link
 * RedisBackplane}s; real WebSocket clients (OkHttp, speaking the SignalR JSON protocol) on
 * different servers reach each other through groups, direct sends, group changes and client
 * results.
 */
class TwoHubServersShareRedisTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final char RS = '\u001e';
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A small chat hub. */
  public static final class ChatHub extends Hub {
    public String whoAmI() {
      return context().connectionId();
    }

    public CompletableFuture<Void> join(String room) {
      return groups().addToGroup(context().connectionId(), room);
    }

    public CompletableFuture<Void> addOther(String connectionId, String room) {
      return groups().addToGroup(connectionId, room);
    }

    public CompletableFuture<Void> send(String room, String text) {
      return clients().group(room).send("Message", room, text);
    }

    public CompletableFuture<Void> direct(String connectionId, String text) {
      return clients().client(connectionId).send("Direct", text);
    }

    public CompletableFuture<String> ask(String connectionId, String question) {
      return clients().client(connectionId).invoke(String.class, "Ask", question);
    }
  }

  /** A JSON-protocol SignalR client on a raw WebSocket, recording what it receives. */
  private static final class Client extends WebSocketListener {
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> handshake = new CompletableFuture<>();
    final AtomicInteger ids = new AtomicInteger();
    final String answer;
    WebSocket socket;

    Client(String answer) {
      this.answer = answer;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      webSocket.send("{\"protocol\":\"json\",\"version\":1}" + RS);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      for (String frame : text.split(String.valueOf(RS))) {
        if (frame.isEmpty()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(frame);
        } catch (Exception e) {
          handshake.completeExceptionally(e);
          return;
        }
        if (!handshake.isDone()) {
          if (node.has("error")) {
            handshake.completeExceptionally(new AssertionError(frame));
          } else {
            handshake.complete(null);
          }
          continue;
        }
        received.add(node);
        if (node.path("type").asInt() == 1
            && node.hasNonNull("invocationId")
            && node.path("target").asText().equals("Ask")) {
          webSocket.send(
              "{\"type\":3,\"invocationId\":\""
                  + node.get("invocationId").asText()
                  + "\",\"result\":\""
                  + answer
                  + " to "
                  + node.path("arguments").path(0).asText()
                  + "\"}"
                  + RS);
        }
      }
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      handshake.completeExceptionally(t);
    }

    /** Invokes a hub method and returns its completion. */
    JsonNode invoke(String target, Object... args) throws Exception {
      String id = String.valueOf(ids.incrementAndGet());
      socket.send(
          JSON.writeValueAsString(
                  Map.of("type", 1, "invocationId", id, "target", target, "arguments", args))
              + RS);
      await().atMost(TIMEOUT).until(() -> received.stream().anyMatch(n -> isCompletion(n, id)));
      JsonNode completion =
          received.stream().filter(n -> isCompletion(n, id)).findFirst().orElseThrow();
      assertThat(completion.has("error")).as("error of %s: %s", target, completion).isFalse();
      return completion.get("result");
    }

    private static boolean isCompletion(JsonNode n, String id) {
      return n.path("type").asInt() == 3 && n.path("invocationId").asText().equals(id);
    }

    List<String> messages(String target) {
      List<String> list = new ArrayList<>();
      for (JsonNode n : received) {
        if (n.path("type").asInt() == 1 && n.path("target").asText().equals(target)) {
          JsonNode args = n.path("arguments");
          list.add(args.path(args.size() - 1).asText());
        }
      }
      return list;
    }
  }

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final OkHttpClient http = new OkHttpClient.Builder().build();
  private HubServer server1;
  private HubServer server2;

  @BeforeAll
  static void redisMustAnswer() {
    RedisTestSupport.requireRedis();
  }

  @BeforeEach
  void startTwoServers() {
    String prefix = "e2e-" + UUID.randomUUID() + ":";
    server1 = server(prefix);
    server2 = server(prefix);
  }

  private HubServer server(String prefix) {
    RedisBackplane backplane = RedisBackplane.create(RedisTestSupport.REDIS_URL);
    toClose.add(backplane);
    await().atMost(TIMEOUT).until(backplane::isConnected);
    HubServer server =
        HubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub("/hubs/chat", ChatHub::new)
            .lifetimeManagerFactory(ScaleoutLifetimeManagers.factory(backplane, prefix))
            .build()
            .start();
    toClose.add(0, server); // servers stop before their backplanes close
    return server;
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    assertThat(http.dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private Client connect(HubServer server, String answer) throws Exception {
    Client client = new Client(answer);
    client.socket =
        http.newWebSocket(
            new Request.Builder().url("ws://127.0.0.1:" + server.port() + "/hubs/chat").build(),
            client);
    toClose.add(0, () -> client.socket.close(1000, null));
    client.handshake.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    return client;
  }

  @Test
  void aGroupMessageCrossesServers() throws Exception {
    Client alice = connect(server1, "alice");
    Client bob = connect(server2, "bob");
    Client carol = connect(server2, "carol");
    alice.invoke("Join", "room");
    bob.invoke("Join", "room");

    bob.invoke("Send", "room", "hello from server 2");
    alice.invoke("Send", "room", "hello from server 1");

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(alice.messages("Message"))
                  .containsExactlyInAnyOrder("hello from server 2", "hello from server 1");
              assertThat(bob.messages("Message"))
                  .containsExactlyInAnyOrder("hello from server 2", "hello from server 1");
            });
    bob.invoke("Direct", carol.invoke("WhoAmI").asText(), "fence");
    await().atMost(TIMEOUT).until(() -> carol.messages("Direct").contains("fence"));
    assertThat(carol.messages("Message")).isEmpty();
  }

  @Test
  void aServerAddsAConnectionOfTheOtherServerToAGroupAndSendsToIt() throws Exception {
    Client alice = connect(server1, "alice");
    Client bob = connect(server2, "bob");
    String bobId = bob.invoke("WhoAmI").asText();

    alice.invoke("AddOther", bobId, "vip");
    alice.invoke("Send", "vip", "welcome");
    alice.invoke("Direct", bobId, "direct");

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(bob.messages("Message")).containsExactly("welcome");
              assertThat(bob.messages("Direct")).containsExactly("direct");
            });
    assertThat(alice.messages("Message")).isEmpty();
  }

  @Test
  void aClientResultComesBackFromAConnectionOnTheOtherServer() throws Exception {
    Client alice = connect(server1, "alice");
    Client bob = connect(server2, "bob");
    String bobId = bob.invoke("WhoAmI").asText();

    JsonNode answer = alice.invoke("Ask", bobId, "who are you?");

    assertThat(answer.asText()).isEqualTo("bob to who are you?");
  }
}
