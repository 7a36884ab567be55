package org.jvmchat.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.ai.Sse.delta;
import static org.jvmchat.ai.Sse.done;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.jvmchat.ai.AssistantException.Reason;

class ErrorsAndRetriesTest extends MockServerSupport {

  @Test
  void unauthorizedIsABadKeyWithTheProviderMessageAndIsNotRetried() {
    server.enqueue(Sse.error(401, "Incorrect API key provided: sk-test***789.", "invalid_api_key"));

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.BAD_KEY);
    assertThat(error.httpStatus()).hasValue(401);
    assertThat(error.providerMessage()).contains("Incorrect API key provided: sk-test***789.");
    assertThat(error.getMessage())
        .contains("API key was rejected")
        .contains("HTTP 401")
        .contains("Incorrect API key provided")
        .doesNotContain(KEY);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void forbiddenIsABadKey() {
    server.enqueue(Sse.error(403, "Project does not have access", null));

    assertThat(ask("hi").awaitAssistantError().reason()).isEqualTo(Reason.BAD_KEY);
  }

  @Test
  void notFoundIsAnUnknownModelNamingTheModel() {
    server.enqueue(
        new MockResponse.Builder()
            .code(404)
            .setHeader("Content-Type", "application/json")
            // Ollama's OpenAI-compatible error shape
            .body(
                "{\"error\":{\"message\":\"model \\\"test-model\\\" not found, try pulling it"
                    + " first\",\"type\":\"api_error\",\"param\":null,\"code\":null}}")
            .build());

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.UNKNOWN_MODEL);
    assertThat(error.getMessage())
        .contains("'test-model'")
        .contains("base URL")
        .contains("not found, try pulling it first");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void modelNotFoundCodeIsAnUnknownModelWhateverTheStatus() {
    server.enqueue(Sse.error(400, "The model `gpt-9` does not exist", "model_not_found"));

    assertThat(ask("hi").awaitAssistantError().reason()).isEqualTo(Reason.UNKNOWN_MODEL);
  }

  @Test
  void otherClientErrorsAreBadRequestsWithTheProviderMessage() {
    server.enqueue(
        new MockResponse.Builder()
            .code(400)
            .setHeader("Content-Type", "application/json")
            // vLLM's error shape: message at the top level
            .body(
                "{\"object\":\"error\",\"message\":\"This model's maximum context length is 4096"
                    + " tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}")
            .build());

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.BAD_REQUEST);
    assertThat(error.providerMessage())
        .contains("This model's maximum context length is 4096 tokens.");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aServerErrorIsRetriedThenTheAnswerStreams() {
    server.enqueue(Sse.error(500, "boom", null));
    server.enqueue(Sse.stream(delta("fine"), done()));

    assertThat(ask("hi").awaitComplete()).isEqualTo("fine");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void serverErrorsOnEveryAttemptFailAfterTheRetries() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(
          new MockResponse.Builder()
              .code(502)
              .setHeader("Content-Type", "text/html")
              .body("<html><body><h1>502 Bad Gateway</h1>\n</body></html>")
              .build());
    }
    server.enqueue(Sse.stream(delta("too late"), done()));

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.SERVER_ERROR);
    assertThat(error.attempts()).isEqualTo(3);
    assertThat(error.getMessage())
        .contains("HTTP 502")
        .contains("502 Bad Gateway")
        .contains("after 3 attempts");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void rateLimitedRetriesAfterRetryAfterSeconds() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("Retry-After", "1")
            .setHeader("Content-Type", "application/json")
            .body(
                "{\"error\":{\"message\":\"Rate limit reached\",\"code\":\"rate_limit_exceeded\"}}")
            .build());
    server.enqueue(Sse.stream(delta("after the wait"), done()));

    long start = System.nanoTime();
    assertThat(ask("hi").awaitComplete()).isEqualTo("after the wait");

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void rateLimitedRetriesAfterRetryAfterMilliseconds() {
    server.enqueue(
        new MockResponse.Builder().code(429).setHeader("retry-after-ms", "300").body("{}").build());
    server.enqueue(Sse.stream(delta("ok"), done()));

    long start = System.nanoTime();
    assertThat(ask("hi").awaitComplete()).isEqualTo("ok");

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aRetryAfterLongerThanMaxBackoffFailsAtOnce() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("Retry-After", "120")
            .body("{\"error\":{\"message\":\"Slow down\"}}")
            .build());
    server.enqueue(Sse.stream(delta("never"), done()));

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(error.getMessage()).contains("Slow down").contains("retry after 120 s");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void rateLimitedOnEveryAttemptFailsRateLimited() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(Sse.error(429, "Rate limit reached", "rate_limit_exceeded"));
    }

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(error.attempts()).isEqualTo(3);
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void aSpentQuotaIsRateLimitedWithoutRetrying() {
    server.enqueue(Sse.error(429, "You exceeded your current quota", "insufficient_quota"));
    server.enqueue(Sse.stream(delta("never"), done()));

    AssistantException error = ask("hi").awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(error.getMessage()).contains("quota");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aBackoffThatWouldPassTheFirstTokenTimeoutIsNotWaitedFor() {
    server.enqueue(
        new MockResponse.Builder().code(503).setHeader("Retry-After", "1").body("busy").build());
    server.enqueue(Sse.stream(delta("never"), done()));
    AssistantClient client =
        client(
            options()
                .firstTokenTimeout(Duration.ofMillis(500))
                .maxBackoff(Duration.ofSeconds(2))
                .build());

    RecordingSubscriber answer = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
    AssistantException error = answer.awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.SERVER_ERROR);
    assertThat(error.getMessage()).contains("no time left to retry"); // not a TIMEOUT
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aRefusedConnectionIsUnreachableAfterTheRetries() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    AssistantClient client =
        client(options().baseUrl("http://127.0.0.1:" + closedPort + "/v1").build());

    RecordingSubscriber answer = RecordingSubscriber.unbounded();
    client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
    AssistantException error = answer.awaitAssistantError();

    assertThat(error.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(error.attempts()).isEqualTo(3);
    assertThat(error.getMessage()).contains("cannot connect").contains("after 3 attempts");
  }

  @Test
  void anUnknownHostIsUnreachableThroughACallerSuppliedClient() {
    AtomicInteger lookups = new AtomicInteger();
    OkHttpClient callers =
        new OkHttpClient.Builder()
            .dns(
                host -> {
                  lookups.incrementAndGet();
                  throw new UnknownHostException("no such host: " + host);
                })
            .build();
    try (AssistantClient client =
        AssistantClient.create(
            options().baseUrl("https://llm.example.invalid/v1").maxRetries(1).build(), callers)) {
      RecordingSubscriber answer = RecordingSubscriber.unbounded();
      client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
      AssistantException error = answer.awaitAssistantError();

      assertThat(error.reason()).isEqualTo(Reason.UNREACHABLE);
      assertThat(error.getMessage()).contains("cannot resolve the host");
      assertThat(error.attempts()).isEqualTo(2);
      assertThat(lookups.get()).isEqualTo(2);
    } finally {
      callers.dispatcher().executorService().shutdown();
      callers.connectionPool().evictAll();
    }
  }

  @Test
  void errorMessagesNeverContainTheKey() {
    for (int status : List.of(400, 401, 404, 500)) {
      server.enqueue(new MockResponse.Builder().code(status).body("").build());
    }
    AssistantClient client = client(options().maxRetries(0).build());
    for (int i = 0; i < 4; i++) {
      RecordingSubscriber answer = RecordingSubscriber.unbounded();
      client.stream(ChatRequest.ofUser("hi")).subscribe(answer);
      assertThat(answer.awaitAssistantError().getMessage()).doesNotContain(KEY);
    }
  }
}
