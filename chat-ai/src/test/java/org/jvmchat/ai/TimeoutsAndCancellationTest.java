package org.jvmchat.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.ai.Sse.delta;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.jvmchat.ai.AssistantException.Reason;

class TimeoutsAndCancellationTest extends MockServerSupport {

  @Test
  void theFirstTokenTimeoutFiresWhenNothingArrivesAndClosesTheConnection() throws Exception {
    Sse.ScriptedStream silent = new Sse.ScriptedStream(true, ": connected\n\n");
    server.enqueue(silent.response());
    AssistantClient client =
        client(
            options()
                .firstTokenTimeout(Duration.ofMillis(1000))
                .totalTimeout(Duration.ofSeconds(4))
                .build());

    RecordingSubscriber answer = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
    AssistantException error = answer.awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.TIMEOUT);
    assertThat(error.getMessage()).contains("first-token timeout of 1 s");
    assertThat(silent.awaitClientClosed()).as("connection closed by the client").isTrue();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void theTotalTimeoutFiresAfterTheFirstTokenAndClosesTheConnection() throws Exception {
    Sse.ScriptedStream stalls = new Sse.ScriptedStream(true, delta("Once upon"));
    server.enqueue(stalls.response());
    AssistantClient client =
        client(
            options()
                .firstTokenTimeout(Duration.ofMillis(1000))
                .totalTimeout(Duration.ofMillis(1500))
                .build());

    RecordingSubscriber answer = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
    AssistantException error = answer.awaitAssistantError();

    assertThat(answer.items()).containsExactly("Once upon");
    assertThat(error.reason()).isEqualTo(Reason.TIMEOUT);
    assertThat(error.getMessage()).contains("total timeout of 1500 ms");
    assertThat(stalls.awaitClientClosed()).as("connection closed by the client").isTrue();
  }

  @Test
  void theIdleTimeoutFiresWhenTheStreamStallsMidAnswerAndClosesTheConnection() throws Exception {
    Sse.ScriptedStream stalls = new Sse.ScriptedStream(true, delta("Once"), delta(" upon"));
    server.enqueue(stalls.response());
    AssistantClient client = client(options().idleTimeout(Duration.ofMillis(500)).build());

    RecordingSubscriber answer = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
    AssistantException error = answer.awaitAssistantError();

    assertThat(answer.items()).containsExactly("Once", " upon");
    assertThat(error.reason()).isEqualTo(Reason.TIMEOUT);
    assertThat(error.getMessage()).contains("stopped sending for 500 ms").contains("9 characters");
    assertThat(stalls.awaitClientClosed()).isTrue();
  }

  @Test
  void cancellingTheSubscriptionClosesTheConnection() throws Exception {
    Sse.ScriptedStream endless = new Sse.ScriptedStream(true, delta("A"), delta("B"));
    server.enqueue(endless.response());

    RecordingSubscriber answer = ask("hi").awaitItems(2);
    answer.cancel();

    assertThat(endless.awaitClientClosed()).as("connection closed by the client").isTrue();
    assertThat(answer.isTerminated()).as("no signal after cancel").isFalse();
    assertThat(answer.items()).containsExactly("A", "B");
  }

  @Test
  void cancellingBeforeAnyTokenClosesTheConnection() throws Exception {
    Sse.ScriptedStream silent = new Sse.ScriptedStream(true, ": thinking\n\n");
    server.enqueue(silent.response());

    RecordingSubscriber answer = ask("hi");
    assertThat(silent.awaitEventsSent()).isTrue();
    answer.cancel();

    assertThat(silent.awaitClientClosed()).isTrue();
  }

  @Test
  void cancellingTheCompleteFutureClosesTheConnection() throws Exception {
    Sse.ScriptedStream endless = new Sse.ScriptedStream(true, delta("partial"));
    server.enqueue(endless.response());
    var seen = new CopyOnWriteArrayList<String>();

    CompletableFuture<String> whole = client().complete(ChatRequest.ofUser("hi"), seen::add);
    Awaitility.await().atMost(RecordingSubscriber.WAIT).until(() -> seen.size() == 1);
    whole.cancel(true);

    assertThat(endless.awaitClientClosed()).isTrue();
  }

  @Test
  void aThrowingDeltaCallbackFailsTheFutureAndClosesTheConnection() throws Exception {
    Sse.ScriptedStream endless = new Sse.ScriptedStream(true, delta("boom"));
    server.enqueue(endless.response());

    CompletableFuture<String> whole =
        client()
            .complete(
                ChatRequest.ofUser("hi"),
                delta -> {
                  throw new IllegalStateException("callback broke on " + delta);
                });

    assertThat(endless.awaitClientClosed()).isTrue();
    assertThat(whole)
        .failsWithin(RecordingSubscriber.WAIT)
        .withThrowableThat()
        .withRootCauseInstanceOf(IllegalStateException.class)
        .withMessageContaining("callback broke on boom");
  }

  @Test
  void closingTheClientFailsStreamingAnswersWithClosed() throws Exception {
    Sse.ScriptedStream endless = new Sse.ScriptedStream(true, delta("A"));
    server.enqueue(endless.response());
    AssistantClient client = client();

    RecordingSubscriber answer = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
    answer.awaitItems(1);
    client.close();

    assertThat(answer.awaitAssistantError().reason()).isEqualTo(Reason.CLOSED);
    assertThat(endless.awaitClientClosed()).isTrue();
  }
}
