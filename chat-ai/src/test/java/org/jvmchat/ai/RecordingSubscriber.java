package org.jvmchat.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;

/** A subscriber that records what it receives and requests only what the test asks for. */
final class RecordingSubscriber implements Flow.Subscriber<String> {

  static final Duration WAIT = Duration.ofSeconds(5);

  private final long initialRequest;
  private final List<String> items = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
  private final CompletableFuture<Throwable> terminal = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicInteger terminalSignals =
      new java.util.concurrent.atomic.AtomicInteger();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private volatile boolean completed;

  RecordingSubscriber(long initialRequest) {
    this.initialRequest = initialRequest;
  }

  /** Requests everything up front. */
  static RecordingSubscriber unbounded() {
    return new RecordingSubscriber(Long.MAX_VALUE);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (!subscription.complete(s)) {
      violations.add("onSubscribe called twice");
    }
    if (initialRequest > 0) {
      s.request(initialRequest);
    }
  }

  @Override
  public void onNext(String item) {
    if (terminal.isDone()) {
      violations.add("onNext after a terminal signal: " + item);
    }
    items.add(item);
  }

  @Override
  public void onError(Throwable error) {
    terminalSignals.incrementAndGet();
    if (!terminal.complete(error)) {
      violations.add("second terminal signal: " + error);
    }
  }

  @Override
  public void onComplete() {
    completed = true;
    terminalSignals.incrementAndGet();
    if (!terminal.complete(null)) {
      violations.add("second terminal signal: complete");
    }
  }

  Flow.Subscription subscription() {
    return subscription.join();
  }

  void request(long n) {
    subscription().request(n);
  }

  void cancel() {
    subscription().cancel();
  }

  List<String> items() {
    return List.copyOf(items);
  }

  String text() {
    return String.join("", items);
  }

  /** Waits until {@code n} items arrived. */
  RecordingSubscriber awaitItems(int n) {
    Awaitility.await().atMost(WAIT).until(() -> items.size() >= n);
    return this;
  }

  /** Waits for onComplete and returns the whole text. */
  String awaitComplete() {
    Throwable error = awaitTerminal();
    if (error != null) {
      throw new AssertionError("expected completion, got an error", error);
    }
    assertThat(completed).isTrue();
    return text();
  }

  /** Waits for onError and returns the error as an AssistantException. */
  AssistantException awaitAssistantError() {
    Throwable error = awaitTerminal();
    assertThat(error).as("expected an error, got completion").isNotNull();
    assertThat(error).isInstanceOf(AssistantException.class);
    return (AssistantException) error;
  }

  /** Signals that broke the Reactive Streams rules (none expected). */
  List<String> violations() {
    return List.copyOf(violations);
  }

  int terminalSignals() {
    return terminalSignals.get();
  }

  Throwable awaitTerminal() {
    try {
      Throwable error = terminal.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(violations).isEmpty();
      return error;
    } catch (TimeoutException e) {
      throw new AssertionError("no terminal signal within " + WAIT + "; items: " + items);
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  boolean isTerminated() {
    return terminal.isDone();
  }
}
