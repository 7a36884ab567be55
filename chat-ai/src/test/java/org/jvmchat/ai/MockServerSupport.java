package org.jvmchat.ai;

import java.time.Duration;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** A MockWebServer per test and a client pointed at it with small timeouts. */
abstract class MockServerSupport {

  static final String KEY = "sk-test-0123456789";

  @StartStop final MockWebServer server = new MockWebServer();

  private static volatile boolean warmedUp;

  private AssistantClient client;

  /**
   * Runs one answer through a throwaway server first, so that class loading and JIT in a fresh JVM
   * do not eat into the short timeouts the tests use.
   */
  @BeforeAll
  static void warmUp() throws Exception {
    if (warmedUp) {
      return;
    }
    try (MockWebServer warm = new MockWebServer()) {
      warm.start();
      warm.enqueue(Sse.stream(Sse.delta("warm"), Sse.done()));
      try (AssistantClient c =
          AssistantClient.create(
              AssistantClientOptions.builder()
                  .baseUrl(warm.url("/v1").toString())
                  .apiKey(KEY)
                  .build())) {
        c.complete(ChatRequest.ofUser("warm up")).get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
    warmedUp = true;
  }

  /** Options for the mock server: fast backoff, short timeouts. */
  AssistantClientOptions.Builder options() {
    return AssistantClientOptions.builder()
        .baseUrl(server.url("/v1/").toString())
        .apiKey(KEY)
        .model("test-model")
        .connectTimeout(Duration.ofSeconds(2))
        .firstTokenTimeout(Duration.ofSeconds(3))
        .totalTimeout(Duration.ofSeconds(4))
        .maxRetries(2)
        .initialBackoff(Duration.ofMillis(5))
        .maxBackoff(Duration.ofMillis(1500));
  }

  AssistantClient client() {
    return client(options().build());
  }

  AssistantClient client(AssistantClientOptions options) {
    if (client != null) {
      client.close();
    }
    client = AssistantClient.create(options);
    return client;
  }

  /** Subscribes a recorder that requests everything to the answer for one user message. */
  RecordingSubscriber ask(String prompt) {
    RecordingSubscriber subscriber = RecordingSubscriber.unbounded();
    client().stream(ChatRequest.ofUser(prompt)).subscribe(subscriber);
    return subscriber;
  }

  RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, java.util.concurrent.TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("no request reached the server");
    }
    return request;
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }
}
