package org.jvmchat.client.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jvmchat.protocol.internal.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads and HTTP machinery of one run of a connection (from start() to Disconnected): a
 * scheduler thread for timers, the callback executor with its two serial lanes, and the OkHttp
 * client. What the connection created is released by {@link #release()}; what the application
 * passed in (its OkHttpClient, its executor) is left alone.
 */
final class ClientResources {
  private static final Logger log = LoggerFactory.getLogger(ClientResources.class);
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** Callbacks a lane runs before yielding its thread to the other lane. */
  private static final int LANE_BATCH = 64;

  final ScheduledThreadPoolExecutor timer;
  final SerialExecutor handlerLane;
  final SerialExecutor resultLane;
  final OkHttpClient http;
  private final ThreadPoolExecutor ownedCallbackPool;
  private final ExecutorService ownedHttpPool;
  private final ConnectionPool ownedConnectionPool;
  private final AtomicBoolean released = new AtomicBoolean();

  ClientResources(ClientOptions options) {
    int run = RUNS.incrementAndGet();
    timer = new ScheduledThreadPoolExecutor(1, threads("jvmchat-client-" + run + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    java.util.concurrent.Executor callbacks;
    if (options.executor() != null) {
      ownedCallbackPool = null;
      callbacks = options.executor();
    } else {
      // Two lanes, so at most two tasks at a time: two threads are enough.
      ownedCallbackPool =
          new ThreadPoolExecutor(
              2,
              2,
              10,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              threads("jvmchat-client-" + run + "-callbacks"));
      ownedCallbackPool.allowCoreThreadTimeOut(true);
      callbacks = ownedCallbackPool;
    }
    // When the executor rejects a lane (shut down), its remaining callbacks run on the
    // submitting thread rather than leave futures pending.
    handlerLane =
        SerialExecutor.runInlineWhenRejected(
            callbacks, LANE_BATCH, t -> log.warn("handler lane: callback failed", t));
    resultLane =
        SerialExecutor.runInlineWhenRejected(
            callbacks, LANE_BATCH, t -> log.warn("result lane: callback failed", t));

    Duration httpTimeout = options.httpTimeout();
    OkHttpClient.Builder builder;
    if (options.httpClient() != null) {
      ownedHttpPool = null;
      ownedConnectionPool = null;
      builder = options.httpClient().newBuilder();
    } else {
      ownedHttpPool =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              60,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              threads("jvmchat-client-" + run + "-http"));
      ownedConnectionPool = new ConnectionPool(5, 1, TimeUnit.MINUTES);
      builder =
          new OkHttpClient.Builder()
              .dispatcher(new Dispatcher(ownedHttpPool))
              .connectionPool(ownedConnectionPool);
    }
    http =
        builder
            .connectTimeout(httpTimeout)
            .readTimeout(httpTimeout)
            .writeTimeout(httpTimeout)
            .callTimeout(Duration.ZERO)
            .build();
  }

  /** Shuts down what this run created. Idempotent; safe from any thread, including the lanes. */
  void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    timer.shutdownNow();
    if (ownedHttpPool != null) {
      http.dispatcher().cancelAll();
      ownedConnectionPool.evictAll();
      ownedHttpPool.shutdown();
    }
    if (ownedCallbackPool != null) {
      ownedCallbackPool.shutdown();
    }
  }

  boolean isReleased() {
    return released.get();
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
