package org.jvmchat.ai.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSources;
import org.jvmchat.ai.AssistantClientOptions;
import org.jvmchat.ai.AssistantException;
import org.jvmchat.ai.internal.ChatCompletionJson.Chunk;
import org.jvmchat.ai.internal.ChatCompletionJson.MalformedChunkException;
import org.jvmchat.ai.internal.ChatCompletionJson.ProviderError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One answer: the HTTP attempts (retried only before a response is accepted), the first-token, idle
 * and total timers, and the {@link DeltaSubscription} the deltas go to. The rules for what the
 * event stream may contain are in {@link ChunkStreamListener}.
 *
 * <p>Everything that ends the answer goes through {@link #finish}, which runs once.
 */
final class ChatCompletionExchange {

  private static final Logger log = LoggerFactory.getLogger(ChatCompletionExchange.class);

  /** Error bodies are read up to this many bytes. */
  private static final long MAX_ERROR_BODY = 16 * 1024;

  /** A JSON (non-streamed) completion is read up to this many bytes. */
  private static final long MAX_JSON_BODY = 4 * 1024 * 1024;

  private final DefaultAssistantClient client;
  private final AssistantClientOptions options;
  private final Request request;
  private final String endpoint;
  private final String model;
  private final DeltaSubscription sink;
  private final long startNanos;
  private final long firstTokenDeadlineNanos;
  private final long totalDeadlineNanos;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final Object lock = new Object();

  // Guarded by lock.
  private Call call;
  private ScheduledFuture<?> retryTask;
  private ScheduledFuture<?> firstTokenTimer;
  private ScheduledFuture<?> totalTimer;
  private ScheduledFuture<?> idleTimer;

  private volatile EventSource eventSource;
  private volatile int attempts;
  private volatile boolean firstTokenSeen;
  private volatile long lastActivityNanos;
  private volatile boolean waitingForRoom;

  /** Characters delivered so far; written only by the thread reading the response. */
  private volatile long charsReceived;

  ChatCompletionExchange(
      DefaultAssistantClient client,
      Request request,
      String model,
      Flow.Subscriber<? super String> subscriber) {
    this.client = client;
    this.options = client.options();
    this.request = request;
    this.endpoint = request.url().toString();
    this.model = model;
    this.sink = new DeltaSubscription(subscriber, options.streamBufferSize(), this::cancel);
    this.startNanos = System.nanoTime();
    this.firstTokenDeadlineNanos = startNanos + options.firstTokenTimeout().toNanos();
    this.totalDeadlineNanos = startNanos + options.totalTimeout().toNanos();
  }

  DeltaSubscription subscription() {
    return sink;
  }

  boolean isFinished() {
    return finished.get();
  }

  String endpoint() {
    return endpoint;
  }

  String model() {
    return model;
  }

  int attempts() {
    return attempts;
  }

  long charsReceived() {
    return charsReceived;
  }

  /**
   * The stream of an accepted response opened; cancelled along with the call when the answer ends.
   */
  void streamOpened(EventSource es) {
    eventSource = es;
    if (finished.get()) {
      es.cancel();
    }
  }

  /** Something arrived on the stream: the idle timeout starts over. */
  void markActivity() {
    lastActivityNanos = System.nanoTime();
  }

  /** Arms the timers and sends the first attempt; call after {@code onSubscribe}. */
  void start() {
    try {
      synchronized (lock) {
        if (finished.get()) {
          return;
        }
        totalTimer =
            client
                .scheduler()
                .schedule(
                    () -> fail(Failures.timeout(false, options.totalTimeout(), endpoint, attempts)),
                    options.totalTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        firstTokenTimer =
            client
                .scheduler()
                .schedule(
                    () -> {
                      if (!firstTokenSeen) {
                        fail(
                            Failures.timeout(
                                true, options.firstTokenTimeout(), endpoint, attempts));
                      }
                    },
                    options.firstTokenTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException e) {
      fail(Failures.closed(attempts));
      return;
    }
    startAttempt();
  }

  /** The subscriber cancelled: close the HTTP stream, signal nothing. */
  void cancel() {
    finish(null, false);
  }

  /** Ends the answer with {@code error}, closing the HTTP stream. */
  void fail(AssistantException error) {
    finish(error, false);
  }

  void succeed() {
    finish(null, true);
  }

  /**
   * Runs once: stops the timers and any pending retry, closes the HTTP stream unless it completed,
   * frees the client's stream slot, then signals the subscriber (error or completion).
   */
  private void finish(AssistantException error, boolean completed) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    Call current;
    synchronized (lock) {
      current = call;
      cancelQuietly(retryTask);
      cancelQuietly(firstTokenTimer);
      cancelQuietly(totalTimer);
      cancelQuietly(idleTimer);
    }
    if (!completed) {
      EventSource es = eventSource;
      if (es != null) {
        es.cancel();
      }
      if (current != null) {
        current.cancel();
      }
    }
    client.exchangeFinished(this);
    if (error != null) {
      log.debug("answer from {} failed: {}", endpoint, error.getMessage());
      sink.fail(error);
    } else if (completed) {
      log.debug(
          "answer from {} complete: {} characters in {} ms",
          endpoint,
          charsReceived,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      sink.complete();
    }
  }

  private static void cancelQuietly(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void startAttempt() {
    Call next;
    synchronized (lock) {
      if (finished.get()) {
        return;
      }
      attempts++;
      next = client.httpClient().newCall(request);
      call = next;
    }
    log.debug("POST {} (attempt {})", endpoint, attempts);
    next.enqueue(new Attempt());
  }

  private boolean isCurrent(Call c) {
    synchronized (lock) {
      return c == call && !finished.get();
    }
  }

  /**
   * Retries after a retryable failure when retries, {@code Retry-After} and the first-token
   * deadline allow it; otherwise fails with the failure built by {@code failure} (given a note or
   * null).
   */
  private void retryOrFail(Function<String, AssistantException> failure, Duration retryAfter) {
    int done = attempts;
    if (done > options.maxRetries()) {
      fail(failure.apply(null));
      return;
    }
    Duration delay =
        Backoff.delay(
            done,
            options.initialBackoff(),
            options.maxBackoff(),
            ThreadLocalRandom.current().nextDouble());
    if (retryAfter != null) {
      if (retryAfter.compareTo(options.maxBackoff()) > 0) {
        fail(
            failure.apply(
                "the provider asked to retry after "
                    + Failures.human(retryAfter)
                    + ", longer than maxBackoff "
                    + Failures.human(options.maxBackoff())));
        return;
      }
      if (retryAfter.compareTo(delay) > 0) {
        delay = retryAfter;
      }
    }
    if (System.nanoTime() + delay.toNanos() >= firstTokenDeadlineNanos) {
      fail(failure.apply("no time left to retry within the first-token timeout"));
      return;
    }
    AssistantException reason = failure.apply(null);
    log.info(
        "assistant attempt {} failed ({}); retrying in {} ms",
        done,
        reason.getMessage(),
        delay.toMillis());
    try {
      synchronized (lock) {
        if (finished.get()) {
          return;
        }
        retryTask =
            client.scheduler().schedule(this::startAttempt, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException e) {
      fail(Failures.closed(done));
    }
  }

  /** The callback of one HTTP attempt. */
  private final class Attempt implements Callback {

    @Override
    public void onFailure(Call c, IOException e) {
      if (!isCurrent(c)) {
        return;
      }
      retryOrFail(note -> Failures.unreachable(e, endpoint, attempts), null);
    }

    @Override
    public void onResponse(Call c, Response response) {
      try (response) {
        if (!isCurrent(c)) {
          return;
        }
        if (!response.isSuccessful()) {
          onErrorStatus(response);
          return;
        }
        MediaType type = response.body().contentType();
        if (type != null && type.type().equals("text") && type.subtype().equals("event-stream")) {
          EventSources.processResponse(
              response, new ChunkStreamListener(ChatCompletionExchange.this));
        } else if (type != null && type.subtype().equals("json")) {
          onJsonCompletion(response);
        } else {
          fail(
              Failures.badResponse(
                  "HTTP "
                      + response.code()
                      + " with content type "
                      + type
                      + " instead of text/event-stream",
                  endpoint,
                  attempts));
        }
      } catch (IOException | RuntimeException e) {
        if (!finished.get()) {
          fail(Failures.connectionLost(e, endpoint, attempts, charsReceived));
        }
      }
    }

    private void onErrorStatus(Response response) throws IOException {
      int status = response.code();
      ProviderError error =
          ChatCompletionJson.parseErrorBody(response.peekBody(MAX_ERROR_BODY).string());
      int attempt = attempts;
      Function<String, AssistantException> failure =
          note -> Failures.forStatus(status, error, endpoint, model, attempt, note);
      if (Failures.isRetryable(status, error)) {
        Duration retryAfter =
            Backoff.retryAfter(
                response.header("retry-after-ms"), response.header("Retry-After"), Instant.now());
        retryOrFail(failure, retryAfter);
      } else {
        fail(failure.apply(null));
      }
    }

    /** A server that ignored {@code stream: true} and sent the whole completion as JSON. */
    private void onJsonCompletion(Response response) throws IOException {
      String body = response.peekBody(MAX_JSON_BODY).string();
      Chunk chunk;
      try {
        chunk = ChatCompletionJson.parseChunk(body);
      } catch (MalformedChunkException e) {
        fail(Failures.badResponse("a JSON body that is not a completion", endpoint, attempts));
        return;
      }
      if (chunk.error() != null) {
        fail(Failures.inStream(chunk.error(), endpoint, model, attempts));
        return;
      }
      if (chunk.content() == null) {
        fail(Failures.badResponse("a JSON body without choices[0]", endpoint, attempts));
        return;
      }
      if (chunk.content().isEmpty() || deliver(chunk.content())) {
        succeed();
      }
    }
  }

  /** Hands a delta to the subscriber's buffer, waiting for room; false when the answer ended. */
  boolean deliver(String delta) {
    if (!firstTokenSeen) {
      firstTokenSeen = true;
      synchronized (lock) {
        cancelQuietly(firstTokenTimer);
      }
      lastActivityNanos = System.nanoTime();
      scheduleIdleCheck(options.idleTimeout().toNanos());
    }
    charsReceived += delta.length();
    try {
      long wait = Math.max(0, totalDeadlineNanos - System.nanoTime());
      boolean taken;
      waitingForRoom = true;
      try {
        taken = sink.offer(delta, wait);
      } finally {
        lastActivityNanos = System.nanoTime();
        waitingForRoom = false;
      }
      if (taken) {
        return true;
      }
      if (!finished.get()) {
        // No room until the total deadline: the total timer is about to fire; do its work now.
        fail(Failures.timeout(false, options.totalTimeout(), endpoint, attempts));
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(Failures.closed(attempts));
      return false;
    }
  }

  /**
   * Fails the answer when nothing arrived for the idle timeout, not counting time spent waiting for
   * the subscriber; otherwise checks again when the timeout could next pass. One check is pending
   * at a time, so the cost does not grow with the number of deltas.
   */
  private void checkIdle() {
    if (finished.get()) {
      return;
    }
    long idle = options.idleTimeout().toNanos();
    long quiet = System.nanoTime() - lastActivityNanos;
    if (waitingForRoom) {
      scheduleIdleCheck(idle);
    } else if (quiet >= idle) {
      fail(Failures.idle(options.idleTimeout(), endpoint, attempts, charsReceived));
    } else {
      scheduleIdleCheck(idle - quiet);
    }
  }

  private void scheduleIdleCheck(long delayNanos) {
    try {
      synchronized (lock) {
        if (!finished.get()) {
          idleTimer =
              client.scheduler().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
        }
      }
    } catch (RejectedExecutionException e) {
      fail(Failures.closed(attempts));
    }
  }
}
