package org.jvmchat.testing;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.protocol.HubProtocol;

/**
 * The executor and scheduler a hub server hands its lifetime-manager factories, for tests that
 * create lifetime managers without a server. One per test; {@link #close()} shuts both down, after
 * the managers made with them were closed.
 *
 * <pre>{@code
 * try (ServerThreads threads = new ServerThreads()) {
 *   HubLifetimeManager m = factory.create(threads.context("/hubs/chat", protocols));
 *   ...
 *   m.close();
 * }
 * }</pre>
 */
public final class ServerThreads implements AutoCloseable {
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final ExecutorService executor;
  private final ScheduledThreadPoolExecutor scheduler;

  public ServerThreads() {
    int n = COUNT.incrementAndGet();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "test-hub-executor-" + n);
              t.setDaemon(true);
              return t;
            });
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "test-hub-scheduler-" + n);
              t.setDaemon(true);
              return t;
            });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /** What a server would pass when creating the lifetime manager of hub {@code hubName}. */
  public HubLifetimeManagerFactory.Context context(String hubName, List<HubProtocol> protocols) {
    return new HubLifetimeManagerFactory.Context(hubName, protocols, executor, scheduler);
  }

  public ExecutorService executor() {
    return executor;
  }

  public ScheduledThreadPoolExecutor scheduler() {
    return scheduler;
  }

  /** Shuts both down and waits (at most 5 s each) for running tasks to end. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    executor.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
