package org.jvmchat.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpLimits;
import org.jvmchat.hub.http.HttpRoute;
import org.jvmchat.hub.http.HttpRouteInterceptor;
import org.jvmchat.hub.internal.server.NettyHubServer;
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

  /**
   * The response header naming the instance that answered, on every HTTP response when {@link
   * Builder#instanceId(String)} is set.
   */
  String INSTANCE_HEADER = "X-Chat-Instance";

  /** Builds a {@link HubServer}; see {@link HubServer#builder()}. */
  final class Builder {
    private String host = "0.0.0.0";
    private int port = 8080;
    private final Map<String, HubMapping> hubs = new LinkedHashMap<>();
    private final List<HttpRoute> routes = new ArrayList<>();
    private final List<HubFilter> filters = new ArrayList<>();
    private Authenticator authenticator = Authenticator.ANONYMOUS;
    private Set<String> corsOrigins = Set.of();
    private HubLifetimeManagerFactory lifetimeManagerFactory;
    private ExecutorService executor;
    private int executorThreads = Math.max(16, Runtime.getRuntime().availableProcessors() * 8);
    private int executorQueueCapacity = 10_000;
    private int maxRequestBodySize = 1024 * 1024;
    private final List<ConnectionListener> listeners = new ArrayList<>();
    private final List<HttpRouteInterceptor> routeInterceptors = new ArrayList<>();
    private final List<HubRequestObserver> requestObservers = new ArrayList<>();
    private byte[] connectionTokenKey;
    private String instanceUrl;
    private String instanceId;
    private HttpLimits httpLimits = HttpLimits.defaults();

    private Builder() {}

    /**
     * Timeouts and connection limits of the HTTP layer (slow or idle sockets, too many connections,
     * large bodies without credentials); default {@link HttpLimits#defaults()}.
     */
    public Builder httpLimits(HttpLimits limits) {
      this.httpLimits = java.util.Objects.requireNonNull(limits, "limits");
      return this;
    }

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

    /** Maps a hub with default options, anonymous users allowed. */
    public Builder hub(String path, Supplier<? extends Hub> factory) {
      return hub(HubMapping.builder(path, factory).build());
    }

    /** Maps a hub with {@code options}, anonymous users allowed. */
    public Builder hub(String path, Supplier<? extends Hub> factory, HubOptions options) {
      return hub(HubMapping.builder(path, factory).options(options).build());
    }

    /**
     * Maps a hub with its own filters or for authenticated users only, e.g. {@code
     * hub(HubMapping.builder("/hubs/chat", ChatHub::new).requireAuthenticatedUser(true).build())}.
     * A second mapping of the same path replaces the first.
     */
    public Builder hub(HubMapping mapping) {
      hubs.put(mapping.path(), mapping);
      return this;
    }

    /** A plain HTTP route, e.g. {@code route("GET", "/api/v1/rooms/{id}", handler)}. */
    public Builder route(String method, String pattern, HttpHandler handler) {
      routes.add(new HttpRoute(method.toUpperCase(java.util.Locale.ROOT), pattern, handler));
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

    /**
     * Wraps every plain route (those added before and after this call); the first added is the
     * outermost. Hub requests (negotiate and the transports) are not routes.
     */
    public Builder routeInterceptor(HttpRouteInterceptor interceptor) {
      routeInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    private List<HttpRoute> interceptedRoutes() {
      List<HttpRoute> wrapped = new ArrayList<>(routes.size());
      for (HttpRoute route : routes) {
        HttpHandler handler = route.handler();
        for (int i = routeInterceptors.size() - 1; i >= 0; i--) {
          HttpRouteInterceptor interceptor = routeInterceptors.get(i);
          HttpHandler next = handler;
          handler = request -> interceptor.intercept(route, request, next);
        }
        wrapped.add(new HttpRoute(route.method(), route.pattern(), handler));
      }
      return List.copyOf(wrapped);
    }

    /**
     * Observes every hub request (negotiate and each transport request) from its arrival to its
     * end, e.g. for tracing ({@link org.jvmchat.hub.tracing.HubTracing}); several are called in the
     * order added. Default none: hub requests are not tracked at all.
     */
    public Builder requestObserver(HubRequestObserver observer) {
      requestObservers.add(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    private HubRequestObserver requestObserver() {
      if (requestObservers.isEmpty()) {
        return null;
      }
      if (requestObservers.size() == 1) {
        return requestObservers.get(0);
      }
      List<HubRequestObserver> all = List.copyOf(requestObservers);
      return request -> {
        List<HubRequestObserver.Observation> started = new ArrayList<>(all.size());
        for (HubRequestObserver o : all) {
          HubRequestObserver.Observation observation = o.started(request);
          if (observation != null) {
            started.add(observation);
          }
        }
        return started.isEmpty()
            ? null
            : status -> {
              for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).ended(status);
              }
            };
      };
    }

    public Builder listener(ConnectionListener listener) {
      listeners.add(listener);
      return this;
    }

    /**
     * The HMAC-SHA256 key of signed connection tokens. Instances built with the same key accept
     * each other's tokens: a WebSocket request that reaches another instance than the one that
     * answered negotiate creates the connection there (same connection id, same user), so
     * WebSockets need no session affinity; with {@link #instanceUrl(String)} SSE and long-polling
     * requests are forwarded to the instance that holds the connection. Use at least 32 random
     * bytes. Default none: connection tokens are random and valid only on the instance that issued
     * them (a single server, or a load balancer with session affinity).
     */
    public Builder connectionTokenKey(byte[] key) {
      this.connectionTokenKey = key == null ? null : key.clone();
      return this;
    }

    /**
     * The base URL at which other instances reach this one directly, e.g. {@code
     * http://10.0.0.7:8080} (no path). Put into signed connection tokens (see {@link
     * #connectionTokenKey(byte[])}) so that an SSE stream, long poll, send or DELETE that reaches
     * another instance is forwarded here. Port 0 ({@code http://10.0.0.7:0}) stands for the bound
     * port. Default none: such requests get 404 "Connection not found on this instance (SSE and
     * long polling need session affinity)".
     */
    public Builder instanceUrl(String url) {
      this.instanceUrl = url;
      return this;
    }

    /**
     * A name of this instance (a pod or host name), sent as {@value #INSTANCE_HEADER} on every HTTP
     * response so that operators (and tests) see which instance answered. Default none (no header).
     */
    public Builder instanceId(String id) {
      this.instanceId = id;
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
      if (connectionTokenKey != null && connectionTokenKey.length < 16) {
        throw new IllegalArgumentException("connectionTokenKey must have at least 16 bytes");
      }
      String url = instanceUrl == null || instanceUrl.isBlank() ? null : instanceUrl.strip();
      if (url != null) {
        if (connectionTokenKey == null) {
          throw new IllegalArgumentException("instanceUrl needs a connectionTokenKey");
        }
        java.net.URI u;
        try {
          u = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("instanceUrl is not a URL: " + url);
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            || u.getHost() == null
            || u.getQuery() != null
            || !(u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/"))) {
          throw new IllegalArgumentException(
              "instanceUrl must be http(s)://host[:port] without a path (was " + url + ")");
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      }
      String id = instanceId == null || instanceId.isBlank() ? null : instanceId.strip();
      if (id != null && !id.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
        throw new IllegalArgumentException("instanceId must be visible ASCII without spaces");
      }
      return new NettyHubServer(
          new NettyHubServer.Config(
              host,
              port,
              List.copyOf(hubs.values()),
              interceptedRoutes(),
              List.copyOf(filters),
              authenticator,
              corsOrigins,
              lifetimeManagerFactory,
              executor,
              executorThreads,
              executorQueueCapacity,
              maxRequestBodySize,
              List.copyOf(listeners),
              connectionTokenKey,
              url,
              id,
              httpLimits,
              requestObserver()));
    }
  }
}
