package org.jvmchat.ai.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.jvmchat.ai.AssistantClient;
import org.jvmchat.ai.AssistantClientOptions;
import org.jvmchat.ai.AssistantException;
import org.jvmchat.ai.ChatRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AssistantClient}: builds requests, limits concurrent answers, owns the timer thread
 * and (when it created it) the {@link OkHttpClient}.
 */
public final class DefaultAssistantClient implements AssistantClient {

  private static final Logger log = LoggerFactory.getLogger(DefaultAssistantClient.class);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final AtomicInteger TIMER_IDS = new AtomicInteger();

  private final AssistantClientOptions options;
  private final OkHttpClient httpClient;
  private final boolean ownsHttpClient;
  private final HttpUrl endpoint;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Set<ChatCompletionExchange> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private DefaultAssistantClient(
      AssistantClientOptions options, OkHttpClient httpClient, boolean ownsHttpClient) {
    this.options = options;
    this.httpClient = httpClient;
    this.ownsHttpClient = ownsHttpClient;
    this.endpoint = HttpUrl.get(options.baseUrl() + "/chat/completions");
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "jvmchat-ai-timer-" + TIMER_IDS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.scheduler.setRemoveOnCancelPolicy(true);
  }

  /**
   * A client over {@code callerClient} (not closed here), or over a new {@link OkHttpClient}
   * (closed by {@link #close()}) when it is {@code null}.
   */
  public static DefaultAssistantClient create(
      AssistantClientOptions options, OkHttpClient callerClient) {
    Objects.requireNonNull(options, "options");
    if (callerClient != null) {
      // newBuilder() shares the caller's dispatcher, pool and interceptors: nothing new to close.
      OkHttpClient derived =
          callerClient
              .newBuilder()
              .connectTimeout(options.connectTimeout())
              .readTimeout(Duration.ZERO)
              .callTimeout(Duration.ZERO)
              .build();
      return new DefaultAssistantClient(options, derived, false);
    }
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(options.maxConcurrentStreams());
    dispatcher.setMaxRequestsPerHost(options.maxConcurrentStreams());
    OkHttpClient own =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectTimeout(options.connectTimeout())
            .readTimeout(Duration.ZERO)
            .callTimeout(Duration.ZERO)
            .build();
    return new DefaultAssistantClient(options, own, true);
  }

  @Override
  public AssistantClientOptions options() {
    return options;
  }

  @Override
  public Flow.Publisher<String> stream(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed.get()) {
      throw new IllegalStateException("the assistant client is closed");
    }
    String model = request.model() != null ? request.model() : options.model();
    Request httpRequest =
        new Request.Builder()
            .url(endpoint)
            .header("Authorization", "Bearer " + options.apiKey())
            .header("Accept", "text/event-stream")
            .post(
                RequestBody.create(ChatCompletionJson.requestBody(request, options.model()), JSON))
            .build();
    return subscriber -> subscribe(httpRequest, model, subscriber);
  }

  private void subscribe(
      Request httpRequest, String model, Flow.Subscriber<? super String> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    if (closed.get()) {
      rejectSubscriber(subscriber, Failures.closed(0));
      return;
    }
    int limit = options.maxConcurrentStreams();
    int now;
    do {
      now = active.get();
      if (now >= limit) {
        rejectSubscriber(subscriber, Failures.busy(limit));
        return;
      }
    } while (!active.compareAndSet(now, now + 1));
    ChatCompletionExchange exchange =
        new ChatCompletionExchange(this, httpRequest, model, subscriber);
    live.add(exchange);
    try {
      subscriber.onSubscribe(exchange.subscription());
    } catch (RuntimeException e) {
      // Reactive Streams §2.13: treat the subscription as cancelled.
      log.warn("subscriber threw from onSubscribe; the answer is not requested", e);
      exchange.cancel();
      return;
    }
    if (closed.get()) {
      exchange.fail(Failures.closed(0));
      return;
    }
    exchange.start();
  }

  private static void rejectSubscriber(
      Flow.Subscriber<? super String> subscriber, AssistantException error) {
    subscriber.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {}
        });
    subscriber.onError(error);
  }

  /** Called once per exchange when it ends, whichever way. */
  void exchangeFinished(ChatCompletionExchange exchange) {
    if (live.remove(exchange)) {
      active.decrementAndGet();
    }
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The client requests go through (derived from the caller's, or this client's own). */
  OkHttpClient httpClient() {
    return httpClient;
  }

  /** How many answers are streaming now. */
  int activeStreams() {
    return active.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (ChatCompletionExchange exchange : live) {
      exchange.fail(Failures.closed(0));
    }
    scheduler.shutdownNow();
    if (ownsHttpClient) {
      httpClient.dispatcher().cancelAll();
      httpClient.dispatcher().executorService().shutdown();
      httpClient.connectionPool().evictAll();
    }
    log.debug("assistant client for {} closed", endpoint);
  }

  @Override
  public String toString() {
    return "DefaultAssistantClient{" + options + "}";
  }
}
