package org.jvmchat.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.jvmchat.ai.AssistantClientOptions;
import org.jvmchat.ai.AssistantException;
import org.jvmchat.ai.ChatRequest;

class DefaultAssistantClientTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private AssistantClientOptions options() {
    return AssistantClientOptions.builder()
        .baseUrl(server.url("/v1").toString())
        .apiKey("sk-test")
        .initialBackoff(Duration.ofMillis(5))
        .build();
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder()
        .setHeader("Content-Type", "text/event-stream")
        .body(body)
        .build();
  }

  @Test
  void closeShutsDownTheHttpClientItCreatedAndIsIdempotent() {
    DefaultAssistantClient client = DefaultAssistantClient.create(options(), null);
    ExecutorService dispatcherThreads = client.httpClient().dispatcher().executorService();

    client.close();
    client.close();

    assertThat(dispatcherThreads.isShutdown()).isTrue();
    assertThat(client.scheduler().isShutdown()).isTrue();
    assertThatThrownBy(() -> client.stream(ChatRequest.ofUser("hi")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void itsOwnDispatcherAllowsMaxConcurrentStreamsToOneHost() {
    try (DefaultAssistantClient client =
        DefaultAssistantClient.create(
            options().toBuilder().maxConcurrentStreams(100).build(), null)) {
      assertThat(client.httpClient().dispatcher().getMaxRequestsPerHost()).isEqualTo(100);
      assertThat(client.httpClient().dispatcher().getMaxRequests()).isEqualTo(100);
      assertThat(client.httpClient().readTimeoutMillis()).isZero();
      assertThat(client.httpClient().connectTimeoutMillis())
          .isEqualTo((int) AssistantClientOptions.DEFAULT_CONNECT_TIMEOUT.toMillis());
    }
  }

  @Test
  void aCallerSuppliedClientIsSharedAndLeftRunning() {
    OkHttpClient callers = new OkHttpClient();
    ExecutorService dispatcherThreads = callers.dispatcher().executorService();
    try {
      DefaultAssistantClient client = DefaultAssistantClient.create(options(), callers);
      assertThat(client.httpClient().dispatcher()).isSameAs(callers.dispatcher());
      assertThat(client.httpClient().connectionPool()).isSameAs(callers.connectionPool());

      client.close();

      assertThat(dispatcherThreads.isShutdown()).isFalse();
      assertThat(client.scheduler().isShutdown()).isTrue();
    } finally {
      dispatcherThreads.shutdown();
      callers.connectionPool().evictAll();
    }
  }

  @Test
  void finishedAnswersLeaveNoTimerNoRetryAndNoSlotBehind() throws Exception {
    try (DefaultAssistantClient client = DefaultAssistantClient.create(options(), null)) {
      ScheduledThreadPoolExecutor timers = (ScheduledThreadPoolExecutor) client.scheduler();

      server.enqueue(
          sse("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\ndata: [DONE]\n\n"));
      assertThat(client.complete(ChatRequest.ofUser("a")).get(5, TimeUnit.SECONDS)).isEqualTo("ok");
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> timers.getQueue().isEmpty() && client.activeStreams() == 0);

      server.enqueue(new MockResponse.Builder().code(401).body("{}").build());
      CompletableFuture<String> failed = client.complete(ChatRequest.ofUser("b"));
      assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(AssistantException.class);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> timers.getQueue().isEmpty() && client.activeStreams() == 0);

      server.enqueue(
          new MockResponse.Builder()
              .removeHeader("Content-Length")
              .setHeader("Content-Type", "text/event-stream")
              .socketHandler(socket -> {}) // headers, then nothing until the client leaves
              .build());
      CompletableFuture<String> cancelled = client.complete(ChatRequest.ofUser("c"));
      server.takeRequest(5, TimeUnit.SECONDS);
      cancelled.cancel(true);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> timers.getQueue().isEmpty() && client.activeStreams() == 0);
    }
  }

  @Test
  void aPublisherSubscribedAfterCloseSignalsClosed() throws Exception {
    DefaultAssistantClient client = DefaultAssistantClient.create(options(), null);
    Flow.Publisher<String> publisher = client.stream(ChatRequest.ofUser("hi"));
    client.close();

    CompletableFuture<String> result = CollectingSubscriber.collect(publisher, d -> {});

    assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(AssistantException.class)
        .cause()
        .satisfies(
            e ->
                assertThat(((AssistantException) e).reason())
                    .isEqualTo(AssistantException.Reason.CLOSED));
    assertThat(server.getRequestCount()).isZero();
  }
}
