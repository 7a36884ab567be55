package org.jvmchat.server.assistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.MessageKind;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.server.config.AssistantSettings;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.support.FakeProvider;
import org.jvmchat.server.support.TestHubClient;
import org.jvmchat.server.support.TestServer;

/** The {@code @gpt} assistant and StreamAssistant against a fake OpenAI-compatible provider. */
class AssistantHubTest {
  private static final String KEY = "sk-test-key-123";
  private static final String PROMPT = "You are the test assistant.";

  private FakeProvider provider;
  private TestServer server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  private TestServer start(AssistantSettings.Builder assistant) throws Exception {
    provider = new FakeProvider();
    server =
        new TestServer(
            ChatSettings.builder()
                .port(0)
                .host("127.0.0.1")
                .shutdownGrace(Duration.ofSeconds(2))
                .openAiApiKey(KEY)
                .openAiBaseUrl(provider.baseUrl())
                .openAiModel("test-model")
                .assistant(assistant.systemPrompt(PROMPT).maxRetries(0).build()));
    return server;
  }

  private TestServer start() throws Exception {
    return start(AssistantSettings.builder());
  }

  /** alice and bob in a new public room; returns the room id. */
  private String roomWithAliceAndBob(TestHubClient alice, TestHubClient bob) throws Exception {
    String room = server.createRoom("alice", "General", false);
    alice.call("JoinRoom", room);
    bob.call("JoinRoom", room);
    return room;
  }

  private static List<JsonNode> kind(TestHubClient c, String kind) {
    return c.events("ReceiveMessage").stream()
        .filter(m -> m.get("kind").asText().equals(kind))
        .toList();
  }

  @Test
  void aMentionStreamsChunksToEveryoneInTheRoomThenStoresAndSendsTheWholeReply() throws Exception {
    start();
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    String room = roomWithAliceAndBob(alice, bob);
    alice.call("SendMessage", room, "hello");
    bob.call("SendMessage", room, "hi Alice");
    provider.answer("Signal", "R is ", "a real-time ", "library.");

    JsonNode sent = alice.call("SendMessage", room, "@GPT what is SignalR?");
    assertThat(sent.get("kind").asText()).isEqualTo("user");

    RecordedRequest request = provider.take();
    assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    JsonNode body = FakeProvider.body(request);
    assertThat(body.get("model").asText()).isEqualTo("test-model");
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"You are the test assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Alice: hello\"},"
                + "{\"role\":\"user\",\"content\":\"Bob: hi Alice\"},"
                + "{\"role\":\"user\",\"content\":\"Alice: @GPT what is SignalR?\"}]");

    for (TestHubClient c : List.of(alice, bob)) {
      JsonNode reply =
          c.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("assistant"));
      assertThat(reply.get("content").asText()).isEqualTo("SignalR is a real-time library.");
      assertThat(reply.get("senderId").asText()).isEqualTo("assistant");
      assertThat(reply.get("senderName").asText()).isEqualTo("Assistant");
      assertThat(reply.get("roomId").asText()).isEqualTo(room);
      List<JsonNode> chunks = c.events("ReceiveAssistantChunk");
      assertThat(chunks).isNotEmpty();
      StringBuilder joined = new StringBuilder();
      for (JsonNode chunk : chunks) {
        assertThat(chunk.get("roomId").asText()).isEqualTo(room);
        assertThat(chunk.get("messageId").asText()).isEqualTo(reply.get("id").asText());
        joined.append(chunk.get("delta").asText());
      }
      assertThat(joined.toString()).isEqualTo(reply.get("content").asText());
    }
    List<ChatMessage> history = server.store.history(room, null, 10).items();
    ChatMessage last = history.get(history.size() - 1);
    assertThat(last.kind()).isEqualTo(MessageKind.ASSISTANT);
    assertThat(last.content()).isEqualTo("SignalR is a real-time library.");
    assertThat(history).hasSize(4);
  }

  @Test
  void aPlainMessageOrAnAddressDoesNotCallTheAssistant() throws Exception {
    start();
    TestHubClient alice = server.connect("alice");
    String room = server.createRoom("alice", "General", false);
    alice.call("JoinRoom", room);
    alice.call("SendMessage", room, "mail me at bob@gpt.example or ask @gpt4 later");
    JsonNode marker = alice.call("SendMessage", room, "marker");
    alice.awaitEvent("ReceiveMessage", m -> m.get("id").equals(marker.get("id")));
    assertThat(provider.server.takeRequest(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(server.store.history(room, null, 10).items()).hasSize(2);
  }

  @Test
  void theContextKeepsTheNewestMessagesWithinTheBudgetWithRolesAndWithoutSystemNotices()
      throws Exception {
    start(AssistantSettings.builder().historyMessages(4).historyCharacters(60));
    TestHubClient alice = server.connect("alice");
    String room = server.createRoom("alice", "General", false);
    alice.call("JoinRoom", room);
    append(room, "alice", "Alice", "too old to be sent", MessageKind.USER);
    append(room, "bob", "Bob", "question one", MessageKind.USER);
    append(room, "assistant", "Assistant", "answer one", MessageKind.ASSISTANT);
    append(room, "system", "System", "a notice", MessageKind.SYSTEM);
    provider.answer("ok");

    alice.call("SendMessage", room, "@gpt and now?");

    JsonNode messages = FakeProvider.body(provider.take()).get("messages");
    // 60 characters: "Alice: @gpt and now?" (20) + "answer one" (10) + "Bob: question one" (17);
    // "Alice: too old to be sent" (25) would pass the budget; the system notice is left out.
    assertThat(messages.toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"You are the test assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Bob: question one\"},"
                + "{\"role\":\"assistant\",\"content\":\"answer one\"},"
                + "{\"role\":\"user\",\"content\":\"Alice: @gpt and now?\"}]");
    alice.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("assistant"));
  }

  @Test
  void aSecondMentionWhileTheRoomIsAnsweredGetsABusyNoticeAndNoRequest() throws Exception {
    start();
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    String room = roomWithAliceAndBob(alice, bob);
    FakeProvider.Held held = provider.hold("Thinking");

    alice.call("SendMessage", room, "@gpt first");
    provider.take();
    assertThat(held.awaitFirstSent()).isTrue();
    bob.awaitEvent("ReceiveAssistantChunk", c -> c.get("delta").asText().equals("Thinking"));
    bob.call("SendMessage", room, "@gpt second");

    JsonNode busy =
        alice.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("system"));
    assertThat(busy.get("content").asText()).isEqualTo(AssistantService.ALREADY_ANSWERING);
    assertThat(busy.get("senderId").asText()).isEqualTo("system");
    bob.awaitEvent("ReceiveMessage", m -> m.get("id").equals(busy.get("id")));

    held.release(" done.");
    JsonNode reply =
        alice.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("assistant"));
    assertThat(reply.get("content").asText()).isEqualTo("Thinking done.");
    assertThat(provider.server.getRequestCount()).isEqualTo(1);
    assertThat(server.store.history(room, null, 10).items())
        .extracting(ChatMessage::kind)
        .containsExactly(
            MessageKind.USER, MessageKind.USER, MessageKind.SYSTEM, MessageKind.ASSISTANT);

    // Once the answer is stored, the room takes the next mention.
    provider.answer("again");
    alice.call("SendMessage", room, "@gpt third");
    alice.awaitEvent("ReceiveMessage", m -> m.get("content").asText().equals("again"));
  }

  @Test
  void aUserOverTheRateLimitGetsAPrivateNoticeAndStreamAssistantFails() throws Exception {
    start(AssistantSettings.builder().rateLimit(1).rateLimitWindow(Duration.ofMinutes(1)));
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    String room = roomWithAliceAndBob(alice, bob);
    provider.answer("first answer");
    alice.call("SendMessage", room, "@gpt one");
    alice.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("assistant"));

    alice.call("SendMessage", room, "@gpt two");
    JsonNode notice =
        alice.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("system"));
    assertThat(notice.get("content").asText())
        .startsWith("You asked the assistant too often: at most 1 requests per minute.")
        .containsPattern("Try again in \\d+ s\\.");

    TestHubClient.StreamCall stream = alice.stream("StreamAssistant", room, "three");
    assertThat(stream.completion.get(10, TimeUnit.SECONDS)).contains("too often");

    // bob has his own allowance; the notice went to alice alone and was not stored
    provider.answer("bob's answer");
    bob.call("SendMessage", room, "@gpt for bob");
    bob.awaitEvent("ReceiveMessage", m -> m.get("content").asText().equals("bob's answer"));
    assertThat(kind(bob, "system")).isEmpty();
    assertThat(server.store.history(room, null, 10).items())
        .extracting(ChatMessage::kind)
        .doesNotContain(MessageKind.SYSTEM);
    assertThat(provider.server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aProviderFailureBecomesASystemMessageAndTheServerStaysHealthy() throws Exception {
    start();
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    String room = roomWithAliceAndBob(alice, bob);
    provider.fail(401, "Incorrect API key provided");

    alice.call("SendMessage", room, "@gpt hello?");

    JsonNode notice =
        bob.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("system"));
    assertThat(notice.get("content").asText())
        .isEqualTo(
            "The assistant could not answer: the provider rejected the API key (HTTP 401);"
                + " the server's OPENAI_API_KEY must be fixed.");
    assertThat(notice.get("content").asText()).doesNotContain(KEY).doesNotContain("127.0.0.1");
    assertThat(server.store.history(room, null, 10).items())
        .extracting(ChatMessage::kind)
        .containsExactly(MessageKind.USER, MessageKind.SYSTEM);
    JsonNode health = TestServer.json(server.get("/health", null));
    assertThat(health.get("status").asText()).isEqualTo("healthy");
    assertThat(health.get("entries").get("assistant").get("detail").asText())
        .contains("last answer: failed");

    provider.fail(500, "boom");
    alice.call("SendMessage", room, "@gpt again?");
    alice.awaitEvent(
        "ReceiveMessage",
        m ->
            m.get("content")
                .asText()
                .equals("The assistant could not answer: the provider failed (HTTP 500)."));

    provider.answer("back");
    alice.call("SendMessage", room, "@gpt third time");
    alice.awaitEvent("ReceiveMessage", m -> m.get("content").asText().equals("back"));
  }

  @Test
  void aStreamThatStallsAfterSomeChunksKeepsWhatWasShownAndAddsASystemMessage() throws Exception {
    start(AssistantSettings.builder().idleTimeout(Duration.ofMillis(500)));
    TestHubClient alice = server.connect("alice");
    String room = server.createRoom("alice", "General", false);
    alice.call("JoinRoom", room);
    FakeProvider.Held held = provider.hold("Half an ", "answer");

    alice.call("SendMessage", room, "@gpt tell me");

    JsonNode notice =
        alice.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("system"));
    assertThat(notice.get("content").asText())
        .isEqualTo("The assistant could not answer: the provider did not answer in time.");
    JsonNode partial =
        alice.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("assistant"));
    assertThat(partial.get("content").asText()).isEqualTo("Half an answer");
    assertThat(alice.events("ReceiveAssistantChunk"))
        .allMatch(c -> c.get("messageId").equals(partial.get("id")));
    assertThat(held.awaitClientClosed()).isTrue();
  }

  @Test
  void streamAssistantStreamsToTheCallerAloneAndStoresNothing() throws Exception {
    start();
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    String room = roomWithAliceAndBob(alice, bob);
    bob.call("SendMessage", room, "context from bob");
    provider.answer("Only ", "for ", "you.");

    TestHubClient.StreamCall stream = alice.stream("StreamAssistant", room, "summarise please");

    assertThat(stream.completion.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(stream.text()).isEqualTo("Only for you.");
    JsonNode body = FakeProvider.body(provider.take());
    assertThat(body.get("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"You are the test assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Bob: context from bob\"},"
                + "{\"role\":\"user\",\"content\":\"Alice: summarise please\"}]");
    JsonNode marker = alice.call("SendMessage", room, "marker");
    bob.awaitEvent("ReceiveMessage", m -> m.get("id").equals(marker.get("id")));
    assertThat(bob.events("ReceiveAssistantChunk")).isEmpty();
    assertThat(alice.events("ReceiveAssistantChunk")).isEmpty();
    assertThat(server.store.history(room, null, 10).items()).hasSize(2);
  }

  @Test
  void cancellingStreamAssistantClosesTheRequestToTheProvider() throws Exception {
    start();
    TestHubClient alice = server.connect("alice");
    String room = server.createRoom("alice", "General", false);
    alice.call("JoinRoom", room);
    FakeProvider.Held held = provider.hold("Once ", "upon");

    TestHubClient.StreamCall stream = alice.stream("StreamAssistant", room, "a story");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stream.items.size() == 2);
    stream.cancel();

    assertThat(held.awaitClientClosed()).as("the provider saw the connection close").isTrue();
    assertThat(stream.completion.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(alice.call("JoinRoom", room).get("id").asText()).isEqualTo(room);
  }

  @Test
  void streamAssistantChecksTheRoomAndThePromptAndReportsProviderErrors() throws Exception {
    start();
    String secret = server.createRoom("alice", "secret", true);
    TestHubClient alice = server.connect("alice");
    TestHubClient mallory = server.connect("mallory");
    assertThat(mallory.stream("StreamAssistant", secret, "hi").completion.get(10, TimeUnit.SECONDS))
        .contains("is private and you are not one of its participants");
    assertThat(alice.stream("StreamAssistant", secret, "").completion.get(10, TimeUnit.SECONDS))
        .contains("prompt must be 1 to 4000 characters long");
    provider.fail(429, "Rate limit reached");
    assertThat(alice.stream("StreamAssistant", secret, "hi").completion.get(10, TimeUnit.SECONDS))
        .contains("HubException: The assistant could not answer: the provider is limiting");
    assertThat(provider.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void withoutAKeyAMentionGetsANotConfiguredReplyAndStreamAssistantFails() throws Exception {
    server = new TestServer();
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    String room = roomWithAliceAndBob(alice, bob);

    alice.call("SendMessage", room, "@gpt are you there?");

    JsonNode notice =
        bob.awaitEvent("ReceiveMessage", m -> m.get("kind").asText().equals("system"));
    assertThat(notice.get("content").asText()).isEqualTo(AssistantService.NOT_CONFIGURED);
    assertThat(server.store.history(room, null, 10).items()).hasSize(2);
    assertThat(alice.stream("StreamAssistant", room, "hi").completion.get(10, TimeUnit.SECONDS))
        .contains("HubException: The assistant is not configured on this server");
    assertThatThrownBy(() -> alice.call("StreamAssistant", room, "hi"))
        .hasMessageContaining("streaming 'StreamAssistant' method with a non-streaming invocation");
    JsonNode health = TestServer.json(server.get("/health", null));
    assertThat(server.get("/health", null).statusCode()).isEqualTo(200);
    assertThat(health.get("entries").get("assistant").get("status").asText()).isEqualTo("disabled");
  }

  @Test
  void healthSaysConfiguredWithoutCallingTheProvider() throws Exception {
    start();
    var response = server.get("/health", null);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode entry = TestServer.json(response).get("entries").get("assistant");
    assertThat(entry.get("status").asText()).isEqualTo("healthy");
    assertThat(entry.get("detail").asText()).startsWith("configured (model test-model)");
    assertThat(server.get("/health/ready", null).statusCode()).isEqualTo(200);
    assertThat(provider.server.getRequestCount()).isZero();
  }

  private void append(String room, String senderId, String name, String content, MessageKind kind)
      throws Exception {
    server
        .store
        .append(new NewMessage(null, room, senderId, name, content, kind))
        .get(5, TimeUnit.SECONDS);
  }
}
