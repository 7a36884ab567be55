package org.jvmchat.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.ai.Sse.delta;
import static org.jvmchat.ai.Sse.done;
import static org.jvmchat.ai.Sse.finish;
import static org.jvmchat.ai.Sse.roleChunk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.jvmchat.ai.AssistantException.Reason;

class StreamingTest extends MockServerSupport {

  @Test
  void streamsEachDeltaInOrderAndCompletesOnDone() {
    server.enqueue(
        Sse.stream(
            roleChunk(),
            delta("Hel"),
            delta("lo, "),
            delta("wörld"),
            delta("!"),
            finish("stop"),
            done()));

    RecordingSubscriber answer = ask("hi");

    assertThat(answer.awaitComplete()).isEqualTo("Hello, wörld!");
    assertThat(answer.items()).containsExactly("Hel", "lo, ", "wörld", "!");
  }

  @Test
  void sendsModelMessagesInOrderStreamTrueAndBearerKey() throws Exception {
    server.enqueue(Sse.stream(delta("ok"), done()));
    ChatRequest request =
        ChatRequest.builder()
            .system("You are terse.")
            .user("What is 2+2?")
            .assistant("4")
            .user("And 3+3?")
            .build();

    RecordingSubscriber answer = RecordingSubscriber.unbounded();
    client().stream(request).subscribe(answer);
    answer.awaitComplete();

    RecordedRequest sent = takeRequest();
    assertThat(sent.getMethod()).isEqualTo("POST");
    assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(sent.getHeaders().get("Accept")).isEqualTo("text/event-stream");
    assertThat(sent.getHeaders().get("Content-Type")).startsWith("application/json");
    JsonNode body = new ObjectMapper().readTree(sent.getBody().utf8());
    assertThat(body.get("model").asText()).isEqualTo("test-model");
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.has("temperature")).isFalse();
    assertThat(body.has("max_tokens")).isFalse();
    JsonNode messages = body.get("messages");
    assertThat(messages).hasSize(4);
    assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
    assertThat(messages.get(0).get("content").asText()).isEqualTo("You are terse.");
    assertThat(messages.get(1).get("role").asText()).isEqualTo("user");
    assertThat(messages.get(1).get("content").asText()).isEqualTo("What is 2+2?");
    assertThat(messages.get(2).get("role").asText()).isEqualTo("assistant");
    assertThat(messages.get(2).get("content").asText()).isEqualTo("4");
    assertThat(messages.get(3).get("role").asText()).isEqualTo("user");
    assertThat(messages.get(3).get("content").asText()).isEqualTo("And 3+3?");
  }

  @Test
  void requestModelTemperatureAndMaxTokensAreSent() throws Exception {
    server.enqueue(Sse.stream(delta("ok"), done()));
    ChatRequest request =
        ChatRequest.builder()
            .user("hi")
            .model("other-model")
            .temperature(0.3)
            .maxTokens(42)
            .build();

    assertThat(client().complete(request).get(5, TimeUnit.SECONDS)).isEqualTo("ok");

    JsonNode body = new ObjectMapper().readTree(takeRequest().getBody().utf8());
    assertThat(body.get("model").asText()).isEqualTo("other-model");
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.3);
    assertThat(body.get("max_tokens").asInt()).isEqualTo(42);
  }

  @Test
  void malformedDataLinesAreSkippedAndTheRestIsKept() {
    server.enqueue(
        Sse.stream(
            delta("A"),
            "data: {not json\n\n",
            delta("B"),
            "data: 42\n\n",
            "data: {\"choices\":[]}\n\n",
            delta("C"),
            done()));

    assertThat(ask("hi").awaitComplete()).isEqualTo("ABC");
  }

  @Test
  void aStreamWithNoValidDataLineIsABadResponse() {
    server.enqueue(Sse.stream("data: <html>\n\n", "data: oops\n\n", done()));

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.BAD_RESPONSE);
    assertThat(error.getMessage()).contains("none of the 2 data lines");
  }

  @Test
  void commentsEmptyDataAndOtherEventTypesAreIgnored() {
    server.enqueue(
        Sse.stream(
            ": keep-alive\n\n",
            delta("A"),
            "event: ping\ndata: {}\n\n",
            "data: \n\n",
            delta("B"),
            done()));

    assertThat(ask("hi").awaitComplete()).isEqualTo("AB");
  }

  @Test
  void aStreamEndingWithoutDoneAfterAFinishReasonIsComplete() {
    server.enqueue(Sse.stream(delta("A"), delta("B"), finish("length")));

    assertThat(ask("hi").awaitComplete()).isEqualTo("AB");
  }

  @Test
  void aStreamCutOffWithoutDoneOrFinishReasonFailsAndIsNotRetried() throws Exception {
    Sse.ScriptedStream cutOff = new Sse.ScriptedStream(false, delta("A"), delta("B"));
    server.enqueue(cutOff.response());
    server.enqueue(Sse.stream(delta("retried"), done()));

    RecordingSubscriber answer = ask("hi");
    AssistantException error = answer.awaitAssistantError();

    assertThat(answer.items()).containsExactly("A", "B");
    assertThat(error.reason()).isEqualTo(Reason.BAD_RESPONSE);
    assertThat(error.getMessage()).contains("cut off").contains("2 characters");
    assertThat(error.attempts()).isEqualTo(1);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aConnectionBrokenMidStreamFailsAndIsNotRetried() throws Exception {
    // A chunked body whose connection closes in the middle of a chunk.
    String event = delta("A");
    server.enqueue(
        new MockResponse.Builder()
            .removeHeader("Content-Length")
            .setHeader("Content-Type", "text/event-stream")
            .setHeader("Transfer-Encoding", "chunked")
            .socketHandler(
                socket -> {
                  try (okio.BufferedSink sink = okio.Okio.buffer(socket.getSink())) {
                    byte[] bytes = event.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    sink.writeUtf8(Integer.toHexString(bytes.length)).writeUtf8("\r\n");
                    sink.write(bytes).writeUtf8("\r\n");
                    sink.writeUtf8("400\r\ndata: {\"choi"); // promised 1024 bytes, sent a few
                    sink.flush();
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                })
            .build());
    server.enqueue(Sse.stream(delta("retried"), done()));

    RecordingSubscriber answer = ask("hi");
    AssistantException error = answer.awaitAssistantError();

    assertThat(answer.items()).containsExactly("A");
    assertThat(error.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(error.getMessage()).contains("broke after 1 characters");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void anErrorObjectInsideTheStreamFailsWithTheProviderMessage() {
    server.enqueue(
        Sse.stream(
            delta("A"),
            "data: {\"error\":{\"message\":\"The server had an error while processing your"
                + " request.\",\"type\":\"server_error\"}}\n\n"));

    RecordingSubscriber answer = ask("hi");
    AssistantException error = answer.awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.SERVER_ERROR);
    assertThat(error.providerMessage())
        .contains("The server had an error while processing your request.");
    assertThat(error.getMessage()).contains("The server had an error");
  }

  @Test
  void anErrorEventFailsTheAnswer() {
    server.enqueue(
        Sse.stream(
            delta("A"),
            "event: error\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n",
            done()));

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.SERVER_ERROR);
    assertThat(error.getMessage()).contains("overloaded");
  }

  @Test
  void aNonStreamedJsonCompletionIsDeliveredAsOneDelta() {
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "application/json")
            .body(
                "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"Whole answer\"},"
                    + "\"finish_reason\":\"stop\"}]}")
            .build());

    RecordingSubscriber answer = ask("hi");

    assertThat(answer.awaitComplete()).isEqualTo("Whole answer");
    assertThat(answer.items()).hasSize(1);
  }

  @Test
  void anUnexpectedContentTypeIsABadResponse() {
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "text/html")
            .body("<html>login page</html>")
            .build());

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.BAD_RESPONSE);
    assertThat(error.getMessage()).contains("text/html").contains("text/event-stream");
  }

  @Test
  void completeCollectsTheWholeAnswerAndHandsOutEachDelta() throws Exception {
    server.enqueue(Sse.stream(delta("one "), delta("two "), delta("three"), done()));
    List<String> seen = new CopyOnWriteArrayList<>();

    String text =
        client().complete(ChatRequest.ofUser("count"), seen::add).get(5, TimeUnit.SECONDS);

    assertThat(text).isEqualTo("one two three");
    assertThat(seen).containsExactly("one ", "two ", "three");
  }

  @Test
  void eachSubscriptionSendsItsOwnRequest() {
    server.enqueue(Sse.stream(delta("first"), done()));
    server.enqueue(Sse.stream(delta("second"), done()));
    var publisher = client().stream(ChatRequest.ofUser("hi"));

    RecordingSubscriber a = RecordingSubscriber.unbounded();
    publisher.subscribe(a);
    assertThat(a.awaitComplete()).isEqualTo("first");
    RecordingSubscriber b = RecordingSubscriber.unbounded();
    publisher.subscribe(b);
    assertThat(b.awaitComplete()).isEqualTo("second");

    assertThat(server.getRequestCount()).isEqualTo(2);
  }
}
