package org.jvmchat.hub.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.servlet.internal.ServletHost;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;

/**
 * SignalR hubs served by a Jakarta Servlet 6 container (Tomcat 10.1+, Jetty 12, Undertow) on its
 * own port, with its TLS, its threads and its security filters: negotiate, Server-Sent Events, long
 * polling and sends are asynchronous Servlet requests; WebSockets are upgraded through the
 * container's Jakarta WebSocket {@code ServerContainer} ({@code
 * ServerContainer.upgradeHttpToWebSocket}), so no endpoint class is scanned or annotated.
 *
 * <pre>{@code
 * ServletHubHost hubs = ServletHubHost.builder()
 *     .hub("/hubs/chat", ChatHub::new)
 *     .build();
 * hubs.register(servletContext);      // e.g. in a ServletContainerInitializer or a Spring
 *                                     // ServletContextInitializer; stops with the context
 * ...
 * hubs.hubContext("/hubs/chat").clients().all().send("Notice", "hello");
 * }</pre>
 *
 * <p>Hub paths are relative to the web application's context path. The hub code, {@link
 * HubOptions}, filters, lifetime managers (backplanes) and listeners are chat-hub-core's, exactly
 * as with {@code HubServer}. A registered host starts at once and stops when the container destroys
 * its servlet (or by {@link #stop(Duration)}).
 */
public final class ServletHubHost implements AutoCloseable {
  /** The servlet's name in the {@link ServletContext}. */
  public static final String SERVLET_NAME = "jvmchat-hubs";

  private final ServletHost host;

  private ServletHubHost(Builder b) {
    this.host =
        new ServletHost(
            List.copyOf(b.hubs.values()),
            List.copyOf(b.filters),
            b.authenticator,
            b.lifetimeManagerFactory,
            b.executor,
            b.executorThreads,
            b.executorQueueCapacity,
            b.ioThreads,
            b.maxRequestBodySize,
            List.copyOf(b.listeners));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds the hubs' servlet to {@code context} (asynchronous, mapped to every hub's path and the
   * paths below it, see {@link #urlPatterns()}) and starts the host. Call it while the context
   * starts: from a {@code ServletContainerInitializer}, a {@code ServletContextListener} or Spring
   * Boot's {@code ServletContextInitializer}. WebSockets need the container's Jakarta WebSocket
   * support (Tomcat's {@code tomcat-embed-websocket} / {@code WsSci}, Jetty's {@code
   * JakartaWebSocketServletContainerInitializer}, Undertow's {@code undertow-websockets-jsr} with a
   * {@code WebSocketDeploymentInfo} servlet-context attribute); without it WebSocket requests get
   * 501 and the clients fall back to Server-Sent Events or long polling.
   *
   * @return the registration, e.g. to add more mappings or set a load-on-startup
   */
  public ServletRegistration.Dynamic register(ServletContext context) {
    ServletRegistration.Dynamic registration = context.addServlet(SERVLET_NAME, servlet());
    if (registration == null) {
      throw new IllegalStateException(
          "A servlet named " + SERVLET_NAME + " is already registered in this context");
    }
    registration.setAsyncSupported(true);
    registration.addMapping(urlPatterns().toArray(new String[0]));
    registration.setLoadOnStartup(1);
    start();
    return registration;
  }

  /**
   * The hubs' servlet, for frameworks that register servlets themselves (e.g. Spring Boot's {@code
   * ServletRegistrationBean}): map it to {@link #urlPatterns()} with async support on. Its {@code
   * init} starts the host and its {@code destroy} stops it (grace 5 s). The same instance each
   * call.
   */
  public HttpServlet servlet() {
    return host.servlet();
  }

  /** {@code <hub path>} and {@code <hub path>/*} of every hub, the servlet's mappings. */
  public List<String> urlPatterns() {
    return host.urlPatterns();
  }

  /**
   * Starts the heartbeat and the lifetime managers (idempotent; {@link #register} and the servlet's
   * {@code init} call it).
   *
   * @throws IllegalStateException after {@link #stop(Duration)}: a stopped host does not restart
   */
  public ServletHubHost start() {
    host.start();
    return this;
  }

  /** Sends to the clients of the hub at {@code path} from outside a hub. */
  public HubContext hubContext(String path) {
    return host.runtime().hubContext(path);
  }

  /** Number of open hub connections across all hubs. */
  public int connectionCount() {
    return host.runtime().connectionCount();
  }

  /**
   * Graceful stop: new hub requests get 503, every client gets a Close with {@code allowReconnect:
   * true}, in-flight invocations finish for at most {@code grace}, then everything is closed.
   * Idempotent. The container keeps running.
   */
  public void stop(Duration grace) {
    host.stop(grace);
  }

  /** {@link #stop(Duration)} with a 5 s grace period. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  /** Builds a {@link ServletHubHost}. */
  public static final class Builder {
    private final Map<String, HubMapping> hubs = new LinkedHashMap<>();
    private final List<HubFilter> filters = new ArrayList<>();
    private final List<ConnectionListener> listeners = new ArrayList<>();
    private ServletAuthenticator authenticator = ServletAuthenticator.containerPrincipal();
    private HubLifetimeManagerFactory lifetimeManagerFactory;
    private ExecutorService executor;
    private int executorThreads = Math.max(16, Runtime.getRuntime().availableProcessors() * 8);
    private int executorQueueCapacity = 10_000;
    private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int maxRequestBodySize = 1024 * 1024;

    private Builder() {}

    /** Maps a hub with default options, anonymous users allowed. */
    public Builder hub(String path, Supplier<? extends Hub> factory) {
      return hub(HubMapping.builder(path, factory).build());
    }

    /** Maps a hub with {@code options}, anonymous users allowed. */
    public Builder hub(String path, Supplier<? extends Hub> factory, HubOptions options) {
      return hub(HubMapping.builder(path, factory).options(options).build());
    }

    /**
     * Maps a hub with its own options, filters, admission or for authenticated users only (see
     * {@link HubMapping}). A second mapping of the same path replaces the first.
     */
    public Builder hub(HubMapping mapping) {
      hubs.put(mapping.path(), Objects.requireNonNull(mapping, "mapping"));
      return this;
    }

    /** A filter applied to every hub, before the hub's own. */
    public Builder filter(HubFilter filter) {
      filters.add(Objects.requireNonNull(filter, "filter"));
      return this;
    }

    /**
     * Who the user of a hub request is; default {@link ServletAuthenticator#containerPrincipal()}
     * (the container's or a security filter's authenticated principal). {@link
     * ServletAuthenticator#of} adapts chat-hub-core's bearer-token authenticators.
     */
    public Builder authenticator(ServletAuthenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** The lifetime manager of each hub (e.g. a backplane's); default in-process. */
    public Builder lifetimeManagerFactory(HubLifetimeManagerFactory factory) {
      this.lifetimeManagerFactory = factory;
      return this;
    }

    /** Connection events, e.g. for metrics. */
    public Builder listener(ConnectionListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * The executor hub methods run on. Default: a pool of {@code executorThreads} threads with a
     * queue of {@code executorQueueCapacity}; when both are full, invocations fail with "The server
     * is too busy". A given executor is not shut down by the host.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = executor;
      return this;
    }

    /** Threads of the default hub-method executor; default {@code max(16, 8 × cores)}. */
    public Builder executorThreads(int threads) {
      this.executorThreads = threads;
      return this;
    }

    /** Queue of the default hub-method executor; default 10,000. */
    public Builder executorQueueCapacity(int capacity) {
      this.executorQueueCapacity = capacity;
      return this;
    }

    /**
     * Threads that own the connections' state (parse, queue, write without blocking; the
     * container's threads hand requests and WebSocket messages to them); default one per core.
     */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /**
     * Largest POST body (a send of SSE and long polling) and WebSocket message, in bytes; larger
     * gets 413 / closes the WebSocket with 1009. Default 1 MiB.
     */
    public Builder maxRequestBodySize(int bytes) {
      this.maxRequestBodySize = bytes;
      return this;
    }

    /**
     * @throws IllegalArgumentException when no hub is mapped or a size is not positive
     */
    public ServletHubHost build() {
      if (hubs.isEmpty()) {
        throw new IllegalArgumentException("Map at least one hub");
      }
      if (executorThreads <= 0
          || executorQueueCapacity <= 0
          || ioThreads <= 0
          || maxRequestBodySize <= 0) {
        throw new IllegalArgumentException(
            "executorThreads, executorQueueCapacity, ioThreads and maxRequestBodySize must be"
                + " positive");
      }
      return new ServletHubHost(this);
    }
  }
}
