package org.jvmchat.hub.servlet.internal;

import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.internal.host.ConnectionLayer;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.jvmchat.hub.internal.hub.HubRuntime;
import org.jvmchat.hub.servlet.ServletAuthenticator;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;

/**
 * The Servlet host: chat-hub-core's {@link HubRuntime} (hubs, executor, heartbeat, stop) and {@link
 * ConnectionLayer}, with connection executors of its own and the {@link HubServlet} in front.
 */
public final class ServletHost {
  private final HubRuntime runtime;
  private final DefaultEventExecutorGroup loops;
  private final ConnectionLayer layer;
  private final ServletAuthenticator authenticator;
  private final int maxRequestBodySize;
  private final HubServlet servlet;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();

  public ServletHost(
      List<HubMapping> hubs,
      List<HubFilter> filters,
      ServletAuthenticator authenticator,
      HubLifetimeManagerFactory lifetimeManagerFactory,
      ExecutorService executor,
      int executorThreads,
      int executorQueueCapacity,
      int ioThreads,
      int maxRequestBodySize,
      List<ConnectionListener> listeners) {
    this.runtime =
        new HubRuntime(
            new HubRuntime.Config(
                hubs,
                filters,
                lifetimeManagerFactory,
                executor,
                executorThreads,
                executorQueueCapacity,
                listeners,
                null,
                null,
                null));
    this.loops =
        new DefaultEventExecutorGroup(ioThreads, new DefaultThreadFactory("jvmchat-servlet", true));
    this.layer = new ConnectionLayer(loops);
    this.authenticator = authenticator;
    this.maxRequestBodySize = maxRequestBodySize;
    this.servlet = new HubServlet(this);
  }

  public HubRuntime runtime() {
    return runtime;
  }

  ConnectionLayer layer() {
    return layer;
  }

  ServletAuthenticator authenticator() {
    return authenticator;
  }

  int maxRequestBodySize() {
    return maxRequestBodySize;
  }

  boolean stopping() {
    return stopped.get();
  }

  public HubServlet servlet() {
    return servlet;
  }

  /** The hub endpoint serving {@code path} and whether it is its negotiate; null when none. */
  HubEndpoint endpoint(String path) {
    return runtime.endpoint(path);
  }

  public List<String> urlPatterns() {
    List<String> patterns = new ArrayList<>();
    for (HubEndpoint e : runtime.endpoints()) {
      patterns.add(e.path());
      patterns.add(e.path() + "/*");
    }
    return List.copyOf(patterns);
  }

  public void start() {
    if (stopped.get()) {
      throw new IllegalStateException("This hub host was stopped; build a new one");
    }
    if (started.compareAndSet(false, true)) {
      runtime.start();
    }
  }

  public void stop(Duration grace) {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    runtime.stop(System.nanoTime() + grace.toNanos());
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
