package org.jvmchat.ai;

import java.time.Duration;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;

/** A MockWebServer per test and a client pointed at it with small timeouts. */
abstract class MockServerSupport {

  static final String KEY = "sk-test-0123456789";

  @StartStop final MockWebServer server = new MockWebServer();

  private AssistantClient client;

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
