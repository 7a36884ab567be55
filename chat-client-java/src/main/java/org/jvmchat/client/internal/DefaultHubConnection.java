package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.client.HubConnectionState;
import org.jvmchat.client.MessageHandler;
import org.jvmchat.client.ResultHandler;
import org.jvmchat.client.RetryContext;
import org.jvmchat.client.Subscription;
import org.jvmchat.client.TypeToken;
import org.jvmchat.protocol.internal.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HubConnection}: the public API and the connection's state machine (Disconnected,
 * Connecting, Connected, Reconnecting, Disconnecting). Connecting is the {@link Connector}'s job,
 * the life of one connection the {@link HubSession}'s; this class decides what happens between. All
 * state changes happen under one lock; no callback runs while it is held.
 */
public final class DefaultHubConnection implements HubConnection, HubSession.Owner {
  private static final Logger log = LoggerFactory.getLogger(DefaultHubConnection.class);

  private final ClientOptions options;
  private final HandlerRegistry handlers = new HandlerRegistry();
  private final AtomicLong ids = new AtomicLong();
  private final List<Consumer<Throwable>> closeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Throwable>> reconnectingListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> reconnectedListeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  private HubConnectionState state = HubConnectionState.Disconnected;
  private ClientResources resources;
  private HubSession session;
  private Connector connector;
  private String connectionId;
  private CompletableFuture<Void> startFuture;
  private CompletableFuture<Void> stopFuture;
  private ScheduledFuture<?> retryTask;
  private long reconnectStartNanos;

  public DefaultHubConnection(ClientOptions options) {
    this.options = options;
  }

  // ---------------------------------------------------------------- life cycle

  @Override
  public CompletableFuture<Void> start() {
    Connector c;
    ClientResources r;
    CompletableFuture<Void> started;
    synchronized (lock) {
      if (state != HubConnectionState.Disconnected) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(
                "Cannot start a connection that is not in the 'Disconnected' state (it is "
                    + state
                    + ")."));
      }
      state = HubConnectionState.Connecting;
      r = new ClientResources(options);
      resources = r;
      c = new Connector(options, r, handlers, ids, this);
      connector = c;
      started = new CompletableFuture<>();
      startFuture = started;
    }
    c.connect().whenComplete((s, e) -> startFinished(r, s, e));
    return started.copy();
  }

  private void startFinished(ClientResources r, HubSession s, Throwable e) {
    CompletableFuture<Void> started;
    Throwable failure;
    synchronized (lock) {
      started = startFuture;
      startFuture = null;
      connector = null;
      if (e == null && state == HubConnectionState.Connecting && !s.isFinished()) {
        session = s;
        connectionId = s.connectionId;
        state = HubConnectionState.Connected;
        r.resultLane.execute(() -> started.complete(null));
        return;
      }
      if (e != null) {
        failure = Futures.unwrap(e);
      } else if (s.isFinished()) {
        failure =
            new HubConnectionException(
                "The connection closed right after the handshake"
                    + (s.closeError() == null ? "." : ": " + s.closeError().getMessage()),
                s.closeError());
      } else {
        failure =
            new HubConnectionException("The connection was stopped before it was established.");
      }
      // Queued before toDisconnected's release, so it runs before the lanes' pool shuts down.
      r.resultLane.execute(() -> started.completeExceptionally(failure));
      toDisconnected(null, false);
    }
    if (s != null && !s.isFinished()) {
      s.stop();
    }
  }

  @Override
  public CompletableFuture<Void> stop() {
    HubSession toStop = null;
    Connector toCancel = null;
    CompletableFuture<Void> stopped;
    synchronized (lock) {
      switch (state) {
        case Disconnected:
          return CompletableFuture.completedFuture(null);
        case Disconnecting:
          return stopFuture.copy();
        case Connecting:
          toCancel = connector;
          break;
        case Connected:
          toStop = session;
          break;
        case Reconnecting:
          if (retryTask != null) {
            retryTask.cancel(false);
            retryTask = null;
          }
          toCancel = connector;
          break;
        default:
          throw new IllegalStateException(state.toString());
      }
      HubConnectionState before = state;
      state = HubConnectionState.Disconnecting;
      stopFuture = new CompletableFuture<>();
      stopped = stopFuture;
      if (before == HubConnectionState.Reconnecting && toCancel == null) {
        toDisconnected(null, true); // between attempts: nothing in flight
      }
    }
    if (toCancel != null) {
      toCancel.cancel(); // its completion finishes the stop
    }
    if (toStop != null) {
      toStop.stop(); // sessionClosed finishes the stop
    }
    return stopped.copy();
  }

  @Override
  public void close() {
    long waitMillis = options.handshakeTimeout().toMillis() + 5_000;
    try {
      stop().get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("stop() did not complete cleanly within {} ms", waitMillis, e);
      synchronized (lock) {
        if (resources != null) {
          resources.release();
        }
      }
    }
  }

  @Override
  public void sessionClosed(HubSession s, Throwable error, boolean allowReconnect) {
    synchronized (lock) {
      if (s != session) {
        return; // a session that never became current (start or reconnect attempt)
      }
      session = null;
      connectionId = null;
      if (state == HubConnectionState.Connected
          && allowReconnect
          && options.retryPolicy() != null) {
        state = HubConnectionState.Reconnecting;
        reconnectStartNanos = System.nanoTime();
        log.info(
            "Connection lost ({}); reconnecting", error == null ? "closed" : error.getMessage());
        ClientResources r = resources;
        for (Consumer<Throwable> l : reconnectingListeners) {
          r.handlerLane.execute(() -> l.accept(error));
        }
        // The first attempt waits for the handlers of what the lost connection delivered (queued
        // on the handler lane before this), as the official clients' receive loop runs them before
        // it reconnects: a query-parameter supplier (the last seq seen, say) then reflects them.
        r.handlerLane.execute(() -> firstRetry(r, error));
        return;
      }
      toDisconnected(state == HubConnectionState.Disconnecting ? null : error, true);
    }
  }

  /**
   * Handler lane, once the lost connection's handlers ran: the first retry is decided on the
   * scheduler thread, where the retry policy is always asked. A stop or a new run meanwhile makes
   * it a no-op.
   */
  private void firstRetry(ClientResources r, Throwable error) {
    try {
      r.timer.execute(
          () -> {
            synchronized (lock) {
              if (state == HubConnectionState.Reconnecting
                  && resources == r
                  && retryTask == null
                  && connector == null) {
                scheduleRetry(0, error);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("No reconnect: the connection's resources were released meanwhile");
    }
  }

  /** Under the lock. */
  private void scheduleRetry(long previousAttempts, Throwable reason) {
    Duration delay;
    try {
      delay =
          options
              .retryPolicy()
              .nextRetryDelay(
                  new RetryContext(
                      previousAttempts,
                      Duration.ofNanos(System.nanoTime() - reconnectStartNanos),
                      reason));
    } catch (RuntimeException e) {
      log.warn("The retry policy threw; giving up reconnecting", e);
      delay = null;
    }
    if (delay == null) {
      log.info("Reconnect retries have been exhausted after {} failed attempts", previousAttempts);
      toDisconnected(
          reason != null
              ? reason
              : new HubConnectionException("Reconnect retries have been exhausted."),
          true);
      return;
    }
    try {
      retryTask =
          resources.timer.schedule(
              () -> attemptReconnect(previousAttempts, reason),
              Math.max(0, delay.toMillis()),
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      toDisconnected(reason, true);
    }
  }

  private void attemptReconnect(long previousAttempts, Throwable reason) {
    Connector c;
    ClientResources r;
    synchronized (lock) {
      retryTask = null;
      if (state != HubConnectionState.Reconnecting) {
        return;
      }
      r = resources;
      c = new Connector(options, r, handlers, ids, this);
      connector = c;
    }
    c.connect()
        .whenComplete(
            (s, e) -> {
              HubSession stale = null;
              synchronized (lock) {
                connector = null;
                if (state == HubConnectionState.Reconnecting && e == null && !s.isFinished()) {
                  session = s;
                  connectionId = s.connectionId;
                  state = HubConnectionState.Connected;
                  String id = s.connectionId;
                  log.info("Reconnected (connection id {})", id);
                  for (Consumer<String> l : reconnectedListeners) {
                    r.handlerLane.execute(() -> l.accept(id));
                  }
                  return;
                }
                if (e == null) {
                  stale = s;
                }
                if (state == HubConnectionState.Reconnecting) {
                  Throwable cause = e != null ? Futures.unwrap(e) : s.closeError();
                  log.info(
                      "Reconnect attempt {} failed: {}",
                      previousAttempts + 1,
                      cause == null ? "closed" : cause.getMessage());
                  scheduleRetry(previousAttempts + 1, cause == null ? reason : cause);
                } else if (state == HubConnectionState.Disconnecting) {
                  toDisconnected(null, true);
                }
              }
              if (stale != null && !stale.isFinished()) {
                stale.stop();
              }
            });
  }

  /**
   * Under the lock: the final state change of a run. Listeners run on the handler lane after every
   * result-lane callback already queued; then the run's resources are released.
   */
  private void toDisconnected(Throwable error, boolean fireOnClose) {
    state = HubConnectionState.Disconnected;
    connectionId = null;
    session = null;
    connector = null;
    ClientResources r = resources;
    resources = null;
    CompletableFuture<Void> stopped = stopFuture;
    stopFuture = null;
    if (r == null) {
      if (stopped != null) {
        stopped.complete(null);
      }
      return;
    }
    Runnable last =
        () -> {
          if (fireOnClose) {
            for (Consumer<Throwable> l : closeListeners) {
              try {
                l.accept(error);
              } catch (RuntimeException e) {
                log.warn("An onClose listener threw", e);
              }
            }
          }
          r.release();
          if (stopped != null) {
            stopped.complete(null);
          }
        };
    try {
      r.resultLane.execute(() -> r.handlerLane.execute(last));
    } catch (RejectedExecutionException e) {
      last.run();
    }
  }

  // ---------------------------------------------------------------- messaging

  private HubSession connected() {
    synchronized (lock) {
      return state == HubConnectionState.Connected ? session : null;
    }
  }

  private static <T> CompletableFuture<T> notConnected() {
    return CompletableFuture.failedFuture(
        new HubConnectionException(
            "Cannot send data if the connection is not in the 'Connected' State."));
  }

  @Override
  public CompletableFuture<Void> send(String method, Object... arguments) {
    requireMethod(method);
    HubSession s = connected();
    return s == null ? notConnected() : s.send(method, arguments);
  }

  @Override
  public <T> CompletableFuture<T> invoke(Class<T> resultType, String method, Object... arguments) {
    Objects.requireNonNull(resultType, "resultType");
    return invokeTyped(resultType, method, arguments);
  }

  @Override
  public <T> CompletableFuture<T> invoke(
      TypeToken<T> resultType, String method, Object... arguments) {
    Objects.requireNonNull(resultType, "resultType");
    return invokeTyped(resultType.type(), method, arguments);
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> invokeTyped(Type type, String method, Object[] arguments) {
    requireMethod(method);
    HubSession s = connected();
    if (s == null) {
      return notConnected();
    }
    return (CompletableFuture<T>) s.invoke(type == Object.class ? null : type, method, arguments);
  }

  @Override
  public <T> Flow.Publisher<T> stream(Class<T> itemType, String method, Object... arguments) {
    Objects.requireNonNull(itemType, "itemType");
    return streamTyped(itemType, method, arguments);
  }

  @Override
  public <T> Flow.Publisher<T> stream(TypeToken<T> itemType, String method, Object... arguments) {
    Objects.requireNonNull(itemType, "itemType");
    return streamTyped(itemType.type(), method, arguments);
  }

  @SuppressWarnings("unchecked")
  private <T> Flow.Publisher<T> streamTyped(Type type, String method, Object[] arguments) {
    requireMethod(method);
    Type bind = type == Object.class ? null : type;
    return subscriber -> {
      Objects.requireNonNull(subscriber, "subscriber");
      HubSession s = connected();
      Flow.Subscriber<Object> raw = (Flow.Subscriber<Object>) subscriber;
      if (s == null) {
        raw.onSubscribe(
            new Flow.Subscription() {
              @Override
              public void request(long n) {}

              @Override
              public void cancel() {}
            });
        raw.onError(
            new HubConnectionException(
                "Cannot send data if the connection is not in the 'Connected' State."));
        return;
      }
      s.stream(bind, method, arguments, raw);
    };
  }

  private static void requireMethod(String method) {
    if (method == null || method.isEmpty()) {
      throw new IllegalArgumentException("method must not be null or empty");
    }
  }

  // ---------------------------------------------------------------- handlers and listeners

  @Override
  public Subscription on(String method, MessageHandler handler, Type... parameterTypes) {
    Objects.requireNonNull(handler, "handler");
    return handlers.add(method, handler, null, parameterTypes);
  }

  @Override
  public <A> Subscription on(String method, Class<A> parameterType, Consumer<A> handler) {
    Objects.requireNonNull(handler, "handler");
    if (parameterType.isPrimitive()) {
      throw new IllegalArgumentException(
          "Use the wrapper type (e.g. Integer.class) instead of " + parameterType);
    }
    return handlers.add(
        method,
        args -> handler.accept(parameterType.cast(args[0])),
        null,
        new Type[] {parameterType});
  }

  @Override
  public Subscription onWithResult(String method, ResultHandler handler, Type... parameterTypes) {
    Objects.requireNonNull(handler, "handler");
    return handlers.add(method, null, handler, parameterTypes);
  }

  @Override
  public Subscription onClose(Consumer<Throwable> listener) {
    return register(closeListeners, listener);
  }

  @Override
  public Subscription onReconnecting(Consumer<Throwable> listener) {
    return register(reconnectingListeners, listener);
  }

  @Override
  public Subscription onReconnected(Consumer<String> listener) {
    return register(reconnectedListeners, listener);
  }

  private static <L> Subscription register(List<L> list, L listener) {
    Objects.requireNonNull(listener, "listener");
    list.add(listener);
    return () -> list.remove(listener);
  }

  @Override
  public HubConnectionState state() {
    synchronized (lock) {
      return state;
    }
  }

  @Override
  public String connectionId() {
    synchronized (lock) {
      return connectionId;
    }
  }
}
