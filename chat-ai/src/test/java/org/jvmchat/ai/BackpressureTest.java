package org.jvmchat.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.ai.Sse.delta;
import static org.jvmchat.ai.Sse.done;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.jvmchat.ai.AssistantException.Reason;

class BackpressureTest extends MockServerSupport {

  private static String[] deltas(int n, boolean withDone) {
    List<String> events = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      events.add(delta(i + ","));
    }
    if (withDone) {
      events.add(done());
    }
    return events.toArray(new String[0]);
  }

  @Test
  void onlyRequestedDeltasAreDeliveredAndCompletionWaitsForTheBuffer() throws Exception {
    server.enqueue(Sse.stream(deltas(10, true)));
    AssistantClient client = client(options().streamBufferSize(4).build());

    RecordingSubscriber answer = new RecordingSubscriber(0);
    client.stream(ChatRequest.ofUser("count")).subscribe(answer);
    takeRequest();

    Awaitility.await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> answer.items().isEmpty() && !answer.isTerminated());

    answer.request(3);
    answer.awaitItems(3);
    Awaitility.await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> answer.items().size() == 3 && !answer.isTerminated());
    assertThat(answer.items()).containsExactly("1,", "2,", "3,");

    answer.request(Long.MAX_VALUE);
    assertThat(answer.awaitComplete()).isEqualTo("1,2,3,4,5,6,7,8,9,10,");
  }

  @Test
  void waitingForASlowSubscriberDoesNotCountAsIdle() throws Exception {
    server.enqueue(Sse.stream(deltas(5, true)));
    AssistantClient client =
        client(options().streamBufferSize(1).idleTimeout(Duration.ofMillis(300)).build());

    RecordingSubscriber answer = new RecordingSubscriber(1);
    client.stream(ChatRequest.ofUser("count")).subscribe(answer);
    answer.awaitItems(1);
    Awaitility.await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(3))
        .until(() -> answer.items().size() == 1 && !answer.isTerminated());

    answer.request(Long.MAX_VALUE);
    assertThat(answer.awaitComplete()).isEqualTo("1,2,3,4,5,");
  }

  @Test
  void aSubscriberThatNeverRequestsGetsTheTotalTimeoutWithoutDemand() throws Exception {
    Sse.ScriptedStream flood = new Sse.ScriptedStream(true, deltas(10, false));
    server.enqueue(flood.response());
    AssistantClient client =
        client(
            options()
                .streamBufferSize(2)
                .firstTokenTimeout(Duration.ofMillis(1000))
                .totalTimeout(Duration.ofMillis(1500))
                .build());

    RecordingSubscriber answer = new RecordingSubscriber(0);
    client.stream(ChatRequest.ofUser("count")).subscribe(answer);
    AssistantException error = answer.awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.TIMEOUT);
    assertThat(answer.items()).isEmpty();
    assertThat(flood.awaitClientClosed()).isTrue();
  }

  @Test
  void requestingZeroIsAnErrorAndClosesTheConnection() throws Exception {
    Sse.ScriptedStream endless = new Sse.ScriptedStream(true, delta("A"));
    server.enqueue(endless.response());

    RecordingSubscriber answer = new RecordingSubscriber(0);
    client().stream(ChatRequest.ofUser("hi")).subscribe(answer);
    assertThat(endless.awaitEventsSent()).isTrue();
    answer.request(0);

    assertThat(answer.awaitTerminal())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n > 0");
    assertThat(endless.awaitClientClosed()).isTrue();
  }

  @Test
  void beyondMaxConcurrentStreamsAnswersFailBusyWithoutARequest() throws Exception {
    Sse.ScriptedStream endless = new Sse.ScriptedStream(true, delta("A"));
    server.enqueue(endless.response());
    server.enqueue(Sse.stream(delta("B"), done()));
    AssistantClient client = client(options().maxConcurrentStreams(1).build());

    RecordingSubscriber first = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("one")).subscribe(first);
    first.awaitItems(1);

    RecordingSubscriber second = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("two")).subscribe(second);
    AssistantException busy = second.awaitAssistantError();
    assertThat(busy.reason()).isEqualTo(Reason.BUSY);
    assertThat(busy.attempts()).isZero();
    assertThat(busy.getMessage()).contains("1 answers are already streaming");

    first.cancel();
    RecordingSubscriber third = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("three")).subscribe(third);
    assertThat(third.awaitComplete()).isEqualTo("B");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }
}
