package org.jvmchat.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.internal.NettyHubServer;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;

/**
 * A SignalR server: hubs mapped to paths, plus plain HTTP routes, on one port.
 *
 * <pre>{@code
 * HubServer server = HubServer.builder()
 *     .port(8080)
 *     .hub("/hubs/chat", ChatHub::new)
 *     .build()
 *     .start();
 * ...
 * server.close();
 * }</pre>
 */
public interface HubServer extends AutoCloseable {

  static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts serving; returns this server. */
  HubServer start();

  /** The bound port (useful with port 0). */
  int port();

  /** Sends to the clients of the hub at {@code path} from outside a hub. */
  HubContext hubContext(String path);

  /** Number of open hub connections across all hubs. */
  int connectionCount();

  /**
   * Graceful stop: stops accepting connections, sends every client a Close with {@code
   * allowReconnect: true} (so clients move to another instance), lets in-flight invocations finish
   * for at most {@code grace}, then closes everything. Idempotent.
   */
  void stop(Duration grace);

  /** {@link #stop(Duration)} with a 5 s grace period. */
  @Override
  default void close() {
    stop(Duration.ofSeconds(5));
  }

  /** Listener for connection events, e.g. for metrics. Methods default to nothing. */
  interface ConnectionListener {
    default void connected(
        String hubPath, String connectionId, String transport, String protocol) {}

    default void disconnected(
        String hubPath, String connectionId, String transport, String protocol) {}

    default void messageReceived(String hubPath, String protocol) {}

    default void messageSent(String hubPath, String protocol) {}

    /**
     * {@code count} hub messages were handed to transports. The server reports sends in batches
     * (one call per drain of a connection, not one per message); the default calls {@link
     * #messageSent} {@code count} times.
     */
    default void messagesSent(String hubPath, String protocol, int count) {
      for (int i = 0; i < count; i++) {
        messageSent(hubPath, protocol);
      }
    }

    default void invocationCompleted(String hubPath, String method, long nanos, boolean failed) {}
  }

  /** One hub mapping. */
  record HubMapping(
      String path,
      Supplier<? extends Hub> factory,
      HubOptions options,
      List<HubFilter> filters,
      boolean requireAuthenticatedUser) {
    public HubMapping {
      filters = List.copyOf(filters);
    }
  }

  /** One plain route; {@code pattern} may hold {@code {name}} segments. */
  record Route(String method, String pattern, HttpHandler handler) {}

  final class Builder {
    private String host = "0.0.0.0";
    private int port = 8080;
    private final Map<String, HubMapping> hubs = new LinkedHashMap<>();
    private final List<Route> routes = new ArrayList<>();
    private final List<HubFilter> filters = new ArrayList<>();
    private Authenticator authenticator = Authenticator.ANONYMOUS;
    private Set<String> corsOrigins = Set.of();
    private HubLifetimeManagerFactory lifetimeManagerFactory;
    private ExecutorService executor;
    private int executorThreads = Math.max(16, Runtime.getRuntime().availableProcessors() * 8);
    private int executorQueueCapacity = 10_000;
    private int maxRequestBodySize = 1024 * 1024;
    private final List<ConnectionListener> listeners = new ArrayList<>();

    private Builder() {}

    /** The address to bind; default all interfaces. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** The port; 0 picks a free one (see {@link HubServer#port()}). Default 8080. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Maps a hub with default options. */
    public Builder hub(String path, Supplier<? extends Hub> factory) {
      return hub(path, factory, HubOptions.defaults());
    }

    public Builder hub(String path, Supplier<? extends Hub> factory, HubOptions options) {
      return hub(path, factory, options, List.of(), false);
    }

    /**
     * Maps a hub.
     *
     * @param filters filters for this hub only, after the server-wide ones
     * @param requireAuthenticatedUser when true, anonymous requests get 401 and never open a
     *     connection
     */
    public Builder hub(
        String path,
        Supplier<? extends Hub> factory,
        HubOptions options,
        List<HubFilter> filters,
        boolean requireAuthenticatedUser) {
      if (!path.startsWith("/") || path.endsWith("/")) {
        throw new IllegalArgumentException("A hub path starts with '/' and does not end with it");
      }
      hubs.put(path, new HubMapping(path, factory, options, filters, requireAuthenticatedUser));
      return this;
    }

    /** A plain HTTP route, e.g. {@code route("GET", "/api/v1/rooms/{id}", handler)}. */
    public Builder route(String method, String pattern, HttpHandler handler) {
      routes.add(new Route(method.toUpperCase(java.util.Locale.ROOT), pattern, handler));
      return this;
    }

    /** A filter applied to every hub. */
    public Builder filter(HubFilter filter) {
      filters.add(filter);
      return this;
    }

    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /**
     * Origins allowed for browser requests (CORS with credentials: the origin is echoed, never
     * {@code *}); {@code "*"} in the set allows any origin. Default none.
     */
    public Builder corsOrigins(Set<String> origins) {
      this.corsOrigins = Set.copyOf(origins);
      return this;
    }

    /** The lifetime manager of each hub; default in-process. */
    public Builder lifetimeManagerFactory(HubLifetimeManagerFactory factory) {
      this.lifetimeManagerFactory = factory;
      return this;
    }

    /**
     * The executor hub methods and plain routes run on. Default: a pool of {@code executorThreads}
     * threads with a queue of {@code executorQueueCapacity}; when both are full, invocations fail
     * with "The server is too busy" and routes answer 503. A given executor is not shut down by the
     * server.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = executor;
      return this;
    }

    public Builder executorThreads(int threads) {
      this.executorThreads = threads;
      return this;
    }

    public Builder executorQueueCapacity(int capacity) {
      this.executorQueueCapacity = capacity;
      return this;
    }

    /** Largest request body of a POST (sends, routes), in bytes; larger gets 413. Default 1 MiB. */
    public Builder maxRequestBodySize(int bytes) {
      this.maxRequestBodySize = bytes;
      return this;
    }

    public Builder listener(ConnectionListener listener) {
      listeners.add(listener);
      return this;
    }

    public HubServer build() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535");
      }
      if (executorThreads <= 0 || executorQueueCapacity <= 0 || maxRequestBodySize <= 0) {
        throw new IllegalArgumentException(
            "executor sizes and maxRequestBodySize must be positive");
      }
      return new NettyHubServer(
          new NettyHubServer.Config(
              host,
              port,
              List.copyOf(hubs.values()),
              List.copyOf(routes),
              List.copyOf(filters),
              authenticator,
              corsOrigins,
              lifetimeManagerFactory,
              executor,
              executorThreads,
              executorQueueCapacity,
              maxRequestBodySize,
              List.copyOf(listeners)));
    }
  }
}
