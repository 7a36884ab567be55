package org.jvmchat.ai;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.jvmchat.ai.internal.CollectingSubscriber;
import org.jvmchat.ai.internal.DefaultAssistantClient;

/**
 * Streams answers from an OpenAI-compatible {@code POST {baseUrl}/chat/completions} endpoint.
 * Thread-safe; create one per process (or per endpoint) and share it.
 *
 * <h2>Streams</h2>
 *
 * {@link #stream(ChatRequest)} answers a cold {@link Flow.Publisher}: each subscription sends one
 * HTTP request and receives the text deltas of one answer, then {@code onComplete}, or {@code
 * onError} with an {@link AssistantException}. Demand is honoured: at most {@link
 * AssistantClientOptions#streamBufferSize()} deltas wait for a slow subscriber; when that buffer is
 * full the client stops reading the HTTP response (TCP flow control then slows the provider) until
 * the subscriber requests more, within the total timeout. Errors are delivered without waiting for
 * demand and drop deltas still buffered; completion comes after the buffered deltas. Cancelling the
 * subscription closes the HTTP stream.
 *
 * <p>Signals arrive on OkHttp's dispatcher threads, the client's timer thread or the thread that
 * calls {@code request}, one at a time; subscribers must not block in them.
 *
 * <h2>Retries</h2>
 *
 * Only before the first token: on HTTP 429, HTTP 5xx and connect failures, up to {@link
 * AssistantClientOptions#maxRetries()} times, with exponential backoff and {@code Retry-After}
 * honoured up to {@link AssistantClientOptions#maxBackoff()}. Once a response has been accepted
 * (HTTP 2xx) nothing is retried.
 */
public interface AssistantClient extends AutoCloseable {

  /** A client that owns its own {@link OkHttpClient} (closed by {@link #close()}). */
  static AssistantClient create(AssistantClientOptions options) {
    return DefaultAssistantClient.create(options, null);
  }

  /**
   * A client that sends through {@code httpClient} (its dispatcher, connection pool, proxy, TLS and
   * interceptors), which stays the caller's to close. The options' connect timeout applies;
   * OkHttp's read and call timeouts are turned off for these requests because the first-token and
   * total timeouts govern them. The dispatcher's limits ({@code maxRequestsPerHost}, 5 by default)
   * cap how many answers stream at once.
   */
  static AssistantClient create(AssistantClientOptions options, OkHttpClient httpClient) {
    return DefaultAssistantClient.create(options, Objects.requireNonNull(httpClient, "httpClient"));
  }

  /** The options this client was created with. */
  AssistantClientOptions options();

  /**
   * The answer to {@code request} as text deltas. Nothing is sent until a subscriber subscribes;
   * each subscription sends its own request.
   *
   * @throws IllegalStateException when the client is closed
   */
  Flow.Publisher<String> stream(ChatRequest request);

  /**
   * Streams the answer, hands each delta to {@code onDelta} as it arrives, and completes with the
   * whole text. Cancelling the returned future cancels the HTTP stream. {@code onDelta} runs on an
   * OkHttp thread and must not block; if it throws, the stream is cancelled and the future fails
   * with that exception.
   *
   * @return the whole answer, or a future failed with an {@link AssistantException}
   * @throws IllegalStateException when the client is closed
   */
  default CompletableFuture<String> complete(ChatRequest request, Consumer<String> onDelta) {
    return CollectingSubscriber.collect(stream(request), onDelta);
  }

  /** The whole answer to {@code request}; see {@link #complete(ChatRequest, Consumer)}. */
  default CompletableFuture<String> complete(ChatRequest request) {
    return complete(request, delta -> {});
  }

  /**
   * Fails every answer still streaming with {@link AssistantException.Reason#CLOSED}, stops the
   * timer thread and, if this client created its {@link OkHttpClient}, shuts that down. Idempotent.
   */
  @Override
  void close();
}
