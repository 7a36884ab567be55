package org.jvmchat.examples.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.examples.chat.ChatTestServer;

/**
 * {@link ConsoleChat} driven through a pipe as its standard input, against the reference chat
 * server in this JVM, with a second user on chat-client-java.
 */
class ConsoleChatTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  private ChatTestServer server;
  private PipedOutputStream stdin;
  private ByteArrayOutputStream stdout;
  private CompletableFuture<Integer> exit;
  private HubConnection bob;

  @BeforeEach
  void start() throws Exception {
    server = new ChatTestServer();
    stdin = new PipedOutputStream();
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(new PipedInputStream(stdin, 64 * 1024), StandardCharsets.UTF_8));
    stdout = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
    ConsoleChat chat = new ConsoleChat(server.url(), "alice", "Alice", null, in, out);
    exit = CompletableFuture.supplyAsync(chat::run, r -> new Thread(r, "console-chat").start());
  }

  @AfterEach
  void stop() throws Exception {
    if (bob != null) {
      bob.close();
    }
    stdin.close(); // end of input ends the console if a test did not
    exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    server.close();
  }

  private void type(String line) throws Exception {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  private String output() {
    return stdout.toString(StandardCharsets.UTF_8);
  }

  private void awaitOutput(String text) {
    try {
      await().atMost(WAIT).until(() -> output().contains(text));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "the console never printed \"" + text + "\"; it printed:\n" + output());
    }
  }

  @Test
  void aPersonChatsThroughTheConsole() throws Exception {
    awaitOutput("* connected to " + server.url() + " as Alice (alice).");
    awaitOutput("* no rooms yet");

    type("hello before joining");
    awaitOutput("! join a room first: /join <room>");
    type("/create Lobby");
    awaitOutput("* created Lobby");
    awaitOutput("* joined Lobby; typing a line sends it there");
    String lobby = server.roomIdNamed("alice", "Lobby");

    String bobToken = server.devToken("bob", "Bob");
    bob = HubConnectionBuilder.create(server.hubUrl()).accessTokenProvider(() -> bobToken).build();
    List<JsonNode> bobGot = new CopyOnWriteArrayList<>();
    bob.on("ReceiveMessage", JsonNode.class, bobGot::add);
    bob.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    bob.invoke(JsonNode.class, "JoinRoom", lobby).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    awaitOutput("* Bob joined Lobby");

    bob.invoke(JsonNode.class, "SendMessage", lobby, "hi alice ✓")
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    awaitOutput("[Lobby] Bob: hi alice ✓");
    bob.invoke(Object.class, "SendTyping", lobby).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    awaitOutput("* Bob is typing in Lobby");

    type("hello bob");
    awaitOutput("[Lobby] Alice: hello bob");
    await().atMost(WAIT).until(() -> bobGot.size() == 2);
    assertThat(bobGot.get(1).get("content").asText()).isEqualTo("hello bob");
    assertThat(bobGot.get(1).get("senderName").asText()).isEqualTo("Alice");

    type("/history");
    awaitOutput("* last 2 messages of Lobby:");
    assertThat(output())
        .containsPattern(
            "\\n  \\S+ \\[Lobby\\] Bob: hi alice ✓\\R  \\S+ \\[Lobby\\] Alice: hello bob");

    type("/rooms");
    awaitOutput("    Lobby  [" + lobby + "]");
    String secret = server.createRoom(server.devToken("carol", "Carol"), "Secret", true);
    type("/join Secret");
    awaitOutput("! no room named 'Secret'; /rooms lists them, /create makes one");
    type("/join " + secret);
    await().atMost(WAIT).until(() -> output().lines().filter(l -> l.startsWith("! ")).count() == 3);
    type("/nonsense");
    awaitOutput("! unknown command /nonsense; /help lists commands");

    bob.invoke(Object.class, "LeaveRoom", lobby).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    awaitOutput("* Bob left Lobby");

    type("/quit");
    assertThat(exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isZero();
    assertThat(output()).endsWith("* bye" + System.lineSeparator());
  }

  @Test
  void theEndOfInputEndsTheSession() throws Exception {
    awaitOutput("* connected to");
    stdin.close();
    assertThat(exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isZero();
    awaitOutput("* bye");
  }
}
