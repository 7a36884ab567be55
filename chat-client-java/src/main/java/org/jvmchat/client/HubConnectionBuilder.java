package org.jvmchat.client;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jvmchat.client.internal.ClientOptions;
import org.jvmchat.client.internal.DefaultHubConnection;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Configures and builds a {@link HubConnection}. Not thread-safe; {@link #build()} validates and
 * may be called more than once (each call builds an independent connection).
 *
 * <pre>{@code
 * HubConnection connection = HubConnectionBuilder.create("https://host/hubs/chat")
 *     .accessTokenProvider(() -> tokens.current())
 *     .withAutomaticReconnect()
 *     .build();
 * connection.on("ReceiveMessage", String.class, text -> System.out.println(text));
 * connection.start().join();
 * String echo = connection.invoke(String.class, "Echo", "hi").join();
 * }</pre>
 */
public final class HubConnectionBuilder {
  /** How long {@code start()} waits for the server's handshake response: 15 s. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);

  /** A Ping is sent when nothing was sent for this long: 15 s (not on long polling). */
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);

  /**
   * The connection is closed when nothing was received for this long: 30 s (not on long polling).
   */
  public static final Duration DEFAULT_SERVER_TIMEOUT = Duration.ofSeconds(30);

  /** Timeout of negotiate, POST and DELETE requests and of each long poll: 100 s. */
  public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(100);

  /** Unacknowledged bytes kept for stateful reconnect before sends wait for Acks: 100,000. */
  public static final long DEFAULT_STATEFUL_RECONNECT_BUFFER_SIZE = 100_000;

  /** Server-to-client stream items buffered beyond the subscriber's demand: 1024. */
  public static final int DEFAULT_STREAM_BUFFER_CAPACITY = 1024;

  /**
   * Largest message accepted from the server, in bytes; 0 = no limit (the official clients' rule).
   */
  public static final int DEFAULT_MAX_RECEIVE_MESSAGE_SIZE = 0;

  private Supplier<Map<String, String>> queryParameters;
  private final String url;
  private Supplier<String> accessTokenProvider;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private Set<HttpTransportType> transports = EnumSet.allOf(HttpTransportType.class);
  private boolean skipNegotiation;
  private HubProtocol protocol = new JsonHubProtocol();
  private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
  private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE_INTERVAL;
  private Duration serverTimeout = DEFAULT_SERVER_TIMEOUT;
  private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
  private OkHttpClient httpClient;
  private Executor executor;
  private RetryPolicy retryPolicy;
  private boolean statefulReconnect;
  private long statefulReconnectBufferSize = DEFAULT_STATEFUL_RECONNECT_BUFFER_SIZE;
  private int streamBufferCapacity = DEFAULT_STREAM_BUFFER_CAPACITY;
  private int maxReceiveMessageSize = DEFAULT_MAX_RECEIVE_MESSAGE_SIZE;

  private HubConnectionBuilder(String url) {
    this.url = Objects.requireNonNull(url, "url");
  }

  /**
   * A builder for the hub at {@code url} ({@code http}, {@code https}, {@code ws} or {@code wss}).
   */
  public static HubConnectionBuilder create(String url) {
    return new HubConnectionBuilder(url);
  }

  /**
   * Supplies the bearer token, called afresh before every negotiate (and before a stateful
   * reconnect) on a connection-internal thread; the token is then sent as {@code Authorization:
   * Bearer} on every request of that connection. Default: no token.
   */
  public HubConnectionBuilder accessTokenProvider(Supplier<String> provider) {
    this.accessTokenProvider = Objects.requireNonNull(provider, "provider");
    return this;
  }

  /** A header sent on every HTTP request and WebSocket upgrade. */
  public HubConnectionBuilder header(String name, String value) {
    headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Headers sent on every HTTP request and WebSocket upgrade (added to earlier ones). */
  public HubConnectionBuilder headers(Map<String, String> headers) {
    headers.forEach(this::header);
    return this;
  }

  /**
   * The transports this client may use (default: all three). The server's order decides which one
   * is tried first; a transport that fails to start falls back to the next after a new negotiate.
   */
  public HubConnectionBuilder transports(HttpTransportType... transports) {
    if (transports.length == 0) {
      throw new IllegalArgumentException("At least one transport is required");
    }
    this.transports = EnumSet.copyOf(Arrays.asList(transports));
    return this;
  }

  /** Connects a WebSocket directly, without negotiate. Requires transports = WebSockets only. */
  public HubConnectionBuilder skipNegotiation(boolean skip) {
    this.skipNegotiation = skip;
    return this;
  }

  /**
   * The hub protocol: {@link JsonHubProtocol} (default) or {@code MessagePackHubProtocol}, each
   * optionally with a customised Jackson mapper.
   */
  public HubConnectionBuilder protocol(HubProtocol protocol) {
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    return this;
  }

  /** See {@link #DEFAULT_HANDSHAKE_TIMEOUT}. */
  public HubConnectionBuilder handshakeTimeout(Duration timeout) {
    this.handshakeTimeout = timeout;
    return this;
  }

  /** See {@link #DEFAULT_KEEP_ALIVE_INTERVAL}. */
  public HubConnectionBuilder keepAliveInterval(Duration interval) {
    this.keepAliveInterval = interval;
    return this;
  }

  /** See {@link #DEFAULT_SERVER_TIMEOUT}. Should be at least twice the server's keep-alive. */
  public HubConnectionBuilder serverTimeout(Duration timeout) {
    this.serverTimeout = timeout;
    return this;
  }

  /** See {@link #DEFAULT_HTTP_TIMEOUT}. */
  public HubConnectionBuilder httpTimeout(Duration timeout) {
    this.httpTimeout = timeout;
    return this;
  }

  /**
   * An OkHttp client to derive this connection's clients from (its dispatcher, connection pool, TLS
   * and proxy settings are shared). The connection never shuts it down. Default: the connection
   * creates its own per start and releases it on stop.
   */
  public HubConnectionBuilder httpClient(OkHttpClient client) {
    this.httpClient = Objects.requireNonNull(client, "client");
    return this;
  }

  /**
   * The executor that runs handlers, listeners and result callbacks (see {@link HubConnection}'s
   * threading notes); they are serialized per lane whatever the executor. Never shut down by the
   * connection. Default: a pool of at most two threads per start, shut down on stop.
   */
  public HubConnectionBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /** Reconnects automatically with {@link RetryPolicy#DEFAULT_DELAYS} (0, 2, 10, 30 s). */
  /**
   * Query parameters added to the URL of every connect, asked again at each start and automatic
   * reconnect (negotiate and the transport's request carry them), e.g. the chat server's {@code
   * lastSeq} from {@link org.jvmchat.client.chat.RoomRecovery#lastSeqQuery()} so that a connection
   * that lands on another instance is given what its rooms received meanwhile. A parameter of the
   * URL with the same name is replaced. Default none.
   */
  public HubConnectionBuilder queryParameters(Supplier<Map<String, String>> parameters) {
    this.queryParameters = parameters;
    return this;
  }

  public HubConnectionBuilder withAutomaticReconnect() {
    return withAutomaticReconnect(RetryPolicy.defaultPolicy());
  }

  /** Reconnects automatically waiting the given delays, then gives up. */
  public HubConnectionBuilder withAutomaticReconnect(Duration... delays) {
    return withAutomaticReconnect(RetryPolicy.fixedDelays(List.of(delays)));
  }

  /** Reconnects automatically as {@code policy} decides. */
  public HubConnectionBuilder withAutomaticReconnect(RetryPolicy policy) {
    this.retryPolicy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * Asks the server for stateful reconnect (negotiate {@code useStatefulReconnect=true}). When the
   * server agrees and the transport is WebSockets, a dropped socket is replaced by a new one to the
   * same connection: no message is lost or duplicated, and no reconnecting events fire.
   */
  public HubConnectionBuilder withStatefulReconnect() {
    this.statefulReconnect = true;
    return this;
  }

  /**
   * See {@link #DEFAULT_STATEFUL_RECONNECT_BUFFER_SIZE}; implies {@link #withStatefulReconnect()}.
   */
  public HubConnectionBuilder statefulReconnectBufferSize(long bytes) {
    this.statefulReconnect = true;
    this.statefulReconnectBufferSize = bytes;
    return this;
  }

  /** See {@link #DEFAULT_STREAM_BUFFER_CAPACITY}. */
  public HubConnectionBuilder streamBufferCapacity(int items) {
    this.streamBufferCapacity = items;
    return this;
  }

  /** See {@link #DEFAULT_MAX_RECEIVE_MESSAGE_SIZE}. */
  public HubConnectionBuilder maxReceiveMessageSize(int bytes) {
    this.maxReceiveMessageSize = bytes;
    return this;
  }

  /**
   * Validates the configuration and builds a connection in {@link HubConnectionState#Disconnected}.
   *
   * @throws IllegalArgumentException on an invalid URL, non-positive duration or size, or
   *     skipNegotiation without WebSockets-only
   */
  public HubConnection build() {
    HttpUrl base = parseUrl(url);
    requirePositive(handshakeTimeout, "handshakeTimeout");
    requirePositive(keepAliveInterval, "keepAliveInterval");
    requirePositive(serverTimeout, "serverTimeout");
    requirePositive(httpTimeout, "httpTimeout");
    if (statefulReconnectBufferSize <= 0) {
      throw new IllegalArgumentException("statefulReconnectBufferSize must be positive");
    }
    if (streamBufferCapacity <= 0) {
      throw new IllegalArgumentException("streamBufferCapacity must be positive");
    }
    if (maxReceiveMessageSize < 0) {
      throw new IllegalArgumentException("maxReceiveMessageSize must be 0 (no limit) or positive");
    }
    if (skipNegotiation && !transports.equals(EnumSet.of(HttpTransportType.WebSockets))) {
      throw new IllegalArgumentException(
          "Negotiation can only be skipped when using the WebSocket transport directly:"
              + " call transports(HttpTransportType.WebSockets)");
    }
    ClientOptions options =
        new ClientOptions(
            base,
            accessTokenProvider,
            Map.copyOf(headers),
            EnumSet.copyOf(transports),
            skipNegotiation,
            protocol,
            handshakeTimeout,
            keepAliveInterval,
            serverTimeout,
            httpTimeout,
            httpClient,
            executor,
            retryPolicy,
            statefulReconnect,
            statefulReconnectBufferSize,
            streamBufferCapacity,
            maxReceiveMessageSize,
            queryParameters);
    return new DefaultHubConnection(options);
  }

  private static HttpUrl parseUrl(String url) {
    String normalized = url;
    if (url.regionMatches(true, 0, "ws:", 0, 3)) {
      normalized = "http:" + url.substring(3);
    } else if (url.regionMatches(true, 0, "wss:", 0, 4)) {
      normalized = "https:" + url.substring(4);
    }
    HttpUrl parsed = HttpUrl.parse(normalized);
    if (parsed == null) {
      throw new IllegalArgumentException("Not an http(s) or ws(s) URL: " + url);
    }
    return parsed;
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
  }
}
