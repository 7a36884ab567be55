package org.jvmchat.hub.internal.hub;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.internal.connection.ConnectionTokens;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every host of hubs shares, whatever carries the HTTP requests (Netty's own port, a Servlet
 * container): the mapped hubs ({@link HubEndpoint}s with their lifetime managers and connections),
 * the blocking executor hub methods run on, the heartbeat (pings, acks, timeouts), the connection
 * tokens, the per-event-loop write schedulers, and the stop sequence (lifetime managers told, every
 * connection closed with {@code allowReconnect: true}, in-flight invocations awaited, managers
 * closed). A host adds only its HTTP front: it hands requests to the endpoints and its transports
 * to their connections.
 */
public final class HubRuntime {
  private static final Logger log = LoggerFactory.getLogger(HubRuntime.class);

  /**
   * What a runtime is built from.
   *
   * @param executor the executor of hub methods, or null for an own pool of {@code executorThreads}
   *     threads and a queue of {@code executorQueueCapacity}
   * @param connectionTokenKey null for random tokens valid on this instance only
   * @param instanceUrl put into signed tokens (null: none)
   * @param requestObserver told of every hub request (tracing), or null
   */
  public record Config(
      List<HubMapping> hubs,
      List<HubFilter> filters,
      HubLifetimeManagerFactory lifetimeManagerFactory,
      ExecutorService executor,
      int executorThreads,
      int executorQueueCapacity,
      List<ConnectionListener> listeners,
      byte[] connectionTokenKey,
      String instanceUrl,
      org.jvmchat.hub.HubRequestObserver requestObserver) {}

  private final boolean ownExecutor;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final List<HubEndpoint> endpoints = new ArrayList<>();
  private final WriteScheduler.Registry writeSchedulers = new WriteScheduler.Registry();
  private final ConnectionTokens tokens;

  public HubRuntime(Config config) {
    this.ownExecutor = config.executor() == null;
    this.executor =
        ownExecutor
            ? new ThreadPoolExecutor(
                config.executorThreads(),
                config.executorThreads(),
                60,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(config.executorQueueCapacity()),
                new DefaultThreadFactory("jvmchat-hub", true))
            : config.executor();
    if (ownExecutor) {
      ((ThreadPoolExecutor) executor).allowCoreThreadTimeOut(true);
    }
    this.tokens =
        config.connectionTokenKey() == null
            ? ConnectionTokens.unsigned()
            : ConnectionTokens.signed(
                config.connectionTokenKey(), config.instanceUrl(), Clock.systemUTC());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("jvmchat-heartbeat", true));
    for (HubMapping mapping : config.hubs()) {
      endpoints.add(
          new HubEndpoint(
              mapping,
              config.filters(),
              executor,
              scheduler,
              config.lifetimeManagerFactory(),
              config.listeners(),
              writeSchedulers,
              tokens,
              config.requestObserver()));
    }
  }

  /** The blocking executor of hub methods, routes and authenticators. */
  public ExecutorService executor() {
    return executor;
  }

  public ConnectionTokens tokens() {
    return tokens;
  }

  /** The mapped hubs, in the order mapped. */
  public List<HubEndpoint> endpoints() {
    return List.copyOf(endpoints);
  }

  /** The hub mapped to exactly {@code path}, or null. */
  public HubEndpoint endpoint(String path) {
    for (HubEndpoint e : endpoints) {
      if (e.path().equals(path)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Starts the lifetime managers (a connection source opens its connections from now on) and the
   * heartbeat. Called once, when the host is ready for requests.
   */
  public void start() {
    for (HubEndpoint e : endpoints) {
      e.lifetimeManager().start(e.acceptor());
    }
    long tick = heartbeatPeriodMillis();
    scheduler.scheduleAtFixedRate(this::heartbeat, tick, tick, TimeUnit.MILLISECONDS);
  }

  /**
   * The heartbeat runs every second, as ASP.NET Core's, or faster when a hub's keep-alive or client
   * timeout is so short that a second would miss it (a third of the shortest, at least 50 ms).
   */
  private long heartbeatPeriodMillis() {
    long period = 1000;
    for (HubEndpoint e : endpoints) {
      HubOptions o = e.options();
      period = Math.min(period, o.keepAliveInterval().toMillis() / 3);
      period = Math.min(period, o.clientTimeout().toMillis() / 3);
      period = Math.min(period, o.handshakeTimeout().toMillis() / 3);
    }
    return Math.max(50, period);
  }

  private void heartbeat() {
    tokens.purge();
    long now = System.nanoTime();
    for (HubEndpoint e : endpoints) {
      e.tick(now);
    }
  }

  /** The hub at {@code path} as a {@link HubContext}; IllegalArgumentException when none. */
  public HubContext hubContext(String path) {
    HubEndpoint e = endpoint(path);
    if (e == null) {
      throw new IllegalArgumentException("No hub is mapped to " + path);
    }
    return e;
  }

  /** Number of open hub connections across all hubs. */
  public int connectionCount() {
    int n = 0;
    for (HubEndpoint e : endpoints) {
      n += e.connections().size();
    }
    return n;
  }

  /**
   * The hubs' part of a graceful stop, once the host accepts no new requests: tells the lifetime
   * managers, sends every connection a Close with {@code allowReconnect: true}, waits for them and
   * for the hub methods still running until {@code deadlineNanos} ({@link System#nanoTime()}), then
   * closes the lifetime managers and stops the heartbeat. The host then closes its sockets.
   */
  public void stop(long deadlineNanos) {
    for (HubEndpoint e : endpoints) {
      try {
        e.lifetimeManager().beginShutdown();
      } catch (RuntimeException ex) {
        log.warn("The lifetime manager of {} failed to begin the shutdown", e.path(), ex);
      }
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (HubEndpoint e : endpoints) {
      e.markStopping();
      for (ServerConnection c : e.connections()) {
        closing.add(c.closedFuture());
        c.close(null, true, null);
      }
    }
    try {
      CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
          .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      log.debug("Not every connection finished within the grace period");
    }
    if (ownExecutor) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(
            Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        executor.shutdownNow();
      }
    }
    // Closed once the hub methods still running finished and before the scheduler the managers
    // use stops (a client result completing after the server's own executor stopped runs on the
    // thread that received it).
    for (HubEndpoint e : endpoints) {
      try {
        e.reportSent();
        e.lifetimeManager().close();
      } catch (Exception ex) {
        log.warn("Closing the lifetime manager of {} failed", e.path(), ex);
      }
    }
    scheduler.shutdownNow();
  }
}
