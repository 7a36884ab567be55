package org.jvmchat.server;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.ai.AssistantClient;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.server.api.AuthApi;
import org.jvmchat.server.api.RoomsApi;
import org.jvmchat.server.assistant.AssistantService;
import org.jvmchat.server.auth.BearerTokens;
import org.jvmchat.server.auth.JwtTokens;
import org.jvmchat.server.backplane.ScaleoutMode;
import org.jvmchat.server.chat.ChatService;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.hub.ChatHub;
import org.jvmchat.server.hub.UserConnections;
import org.jvmchat.server.limits.AbuseLimits;
import org.jvmchat.server.ops.ChatMetrics;
import org.jvmchat.server.ops.HealthService;
import org.jvmchat.server.ops.ManagementServer;
import org.jvmchat.server.ops.OpsRoutes;
import org.jvmchat.server.ops.Tracing;
import org.jvmchat.server.presence.Presence;
import org.jvmchat.server.presence.PresenceApi;
import org.jvmchat.server.web.StaticFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat server assembled: the hub {@code /hubs/chat}, the REST API, the dev-token route, health,
 * metrics and the web page, on one port. The store and the scale-out mode are the caller's: they
 * are opened before and closed after this server.
 */
public final class ChatServer implements AutoCloseable {
  /** The path of the chat hub. */
  public static final String HUB_PATH = "/hubs/chat";

  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

  private final ChatSettings settings;
  private final ChatStore store;
  private final ScaleoutMode scaleout;
  private final JwtTokens tokens;
  private final ChatMetrics metrics;
  private final HealthService health;
  private final AssistantService assistant;
  private final Presence presence;
  private final HubServer hubServer;
  private final AbuseLimits limits;
  private final Tracing tracing;
  private final java.util.concurrent.ThreadPoolExecutor hubExecutor;
  private final OpsRoutes ops;
  private volatile ManagementServer management;
  private final AtomicBoolean stopped = new AtomicBoolean();

  public ChatServer(ChatSettings settings, ChatStore store, ScaleoutMode scaleout) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.store = Objects.requireNonNull(store, "store");
    this.scaleout = Objects.requireNonNull(scaleout, "scaleout");
    this.tokens =
        new JwtTokens(
            settings.jwtSecret(),
            settings.jwtIssuer(),
            settings.jwtAudience(),
            settings.clockSkew(),
            Clock.systemUTC());
    this.metrics = new ChatMetrics();
    store.observe(metrics); // commit latency, batch sizes, HikariCP pool metrics
    scaleout.observePublishes(metrics::backplanePublished);
    scaleout.observeRedisCommands(metrics.registry()); // Lettuce's command latencies
    org.jvmchat.server.ops.RedisCommandMetrics redisCommands = null;
    if (settings.redisUrl() != null) {
      redisCommands = new org.jvmchat.server.ops.RedisCommandMetrics();
      redisCommands.bindTo(metrics.registry());
    }
    // The hub executor, as the hub core makes its own, but with Micrometer's executor metrics.
    int threads = Math.max(16, Runtime.getRuntime().availableProcessors() * 8);
    this.hubExecutor =
        new java.util.concurrent.ThreadPoolExecutor(
            threads,
            threads,
            60,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(10_000),
            new io.netty.util.concurrent.DefaultThreadFactory("jvmchat-hub", true));
    hubExecutor.allowCoreThreadTimeOut(true);
    // The joined rooms cache sees every join and leave only when this is the one instance.
    ChatService chat =
        new ChatService(
            store,
            settings.accessCacheRooms(),
            scaleout.lifetimeManagerFactory() == null
                ? org.jvmchat.server.chat.JoinedRooms.DEFAULT_MAX_USERS
                : 0);
    this.assistant =
        new AssistantService(
            settings.assistant(),
            settings.assistantClientOptions().map(AssistantClient::create).orElse(null),
            settings.openAiModel(),
            chat,
            metrics);
    this.health = new HealthService(store, scaleout, assistant::health);

    // CHAT_INSTANCE_ID, or a random id per start: never the host name (issue #27).
    String instanceName =
        settings.instance().id() != null ? settings.instance().id() : randomInstanceId();
    this.limits =
        new AbuseLimits(
            settings.operations(),
            settings.redisUrl(),
            instanceName,
            metrics::limitRejected,
            redisCommands);
    this.tracing = Tracing.fromEnvironment(System.getenv());
    UserConnections users = new UserConnections();
    this.presence = PresenceApi.create(settings.redisUrl(), System.getenv(), redisCommands);
    PresenceApi presenceApi = new PresenceApi(presence, chat);
    org.jvmchat.server.hub.RoomDelivery delivery = new org.jvmchat.server.hub.RoomDelivery(store);
    HubMapping.Builder chatHub =
        HubMapping.builder(
                HUB_PATH,
                () -> new ChatHub(chat, users, metrics, assistant, presence, delivery, hubExecutor))
            .requireAuthenticatedUser(true);
    if (limits.limitsConnections()) {
      chatHub.admission(limits);
    }
    if (limits.limitsMessages()) {
      chatHub.filter(limits);
    }
    HubOptions hubOptions =
        HubOptions.builder()
            .maxMessageSize(settings.maxMessageSize())
            .allowStatefulReconnects(settings.allowStatefulReconnects())
            .maxQueuedInvocations(settings.protection().maxQueuedInvocations())
            .maxQueuedInvocationBytes(settings.protection().maxQueuedInvocationBytes())
            .maximumParallelInvocationsPerClient(settings.protection().maxParallelInvocations())
            .closeOnAuthenticationExpiration(true)
            .build();
    HubServer.Builder builder =
        HubServer.builder()
            .host(settings.host())
            .port(settings.port())
            .hub(chatHub.options(hubOptions).build())
            .authenticator(authenticator(settings))
            .corsOrigins(settings.corsOrigins())
            .executor(metrics.monitorExecutor(hubExecutor, "hub"))
            .httpLimits(settings.protection().httpLimits())
            .listener(metrics);
    if (tracing != null) {
      // A server-wide filter: it runs before the hub's own (limit refusals are inside the span).
      tracing.register(builder);
    }
    if (scaleout.lifetimeManagerFactory() != null) {
      // Room messages in seq order, once, gaps read from the store (RoomDelivery).
      builder.lifetimeManagerFactory(delivery.wrap(scaleout.lifetimeManagerFactory()));
    }
    byte[] connectionTokenKey = settings.connectionTokenKey();
    if (connectionTokenKey != null) {
      // Instances sharing the key accept each other's connection tokens (docs/DEPLOYING.md).
      builder.connectionTokenKey(connectionTokenKey).instanceUrl(settings.instance().url());
    }
    builder.instanceId(instanceName);
    RoomsApi roomsApi = new RoomsApi(chat, settings.protection());
    roomsApi.register(builder);
    presenceApi.register(builder);
    new AuthApi(settings, tokens).register(builder, limits::limitDevTokens);
    this.ops =
        new OpsRoutes(health, metrics, settings.protection().healthDetails(settings.environment()));
    // With MANAGEMENT_PORT, /metrics is served there only; health answers on both ports.
    ops.register(builder, settings.operations().managementPort() == null);
    if (settings.chatAccessKey() != null) {
      // Azure SignalR Service's data-plane REST API for this server's hub (docs/DEPLOYING.md)
      new org.jvmchat.server.serverless.ServerlessApi(
              settings.chatAccessKey(),
              java.util.List.of(HUB_PATH),
              this::hubContextOf,
              java.time.Clock.systemUTC())
          .register(builder);
    }
    StaticFiles files =
        new StaticFiles(
            settings.identity().authority() == null
                ? null
                : new org.jvmchat.server.web.ProviderEndpoints(settings.identity().authority()));
    files.register(builder);
    if (!files.exists("js/signalr.min.js")) {
      log.warn(
          "static/js/signalr.min.js is not on the classpath: the chat page will not work"
              + " (build with Maven, which copies it from node_modules)");
    }
    try {
      this.hubServer = builder.build();
    } catch (RuntimeException e) {
      assistant.close(); // it owns the assistant client's threads
      hubExecutor.shutdownNow();
      limits.close();
      if (tracing != null) {
        tracing.close();
      }
      presence.close();
      throw e;
    }
    assistant.bind(hubServer.hubContext(HUB_PATH));
    presenceApi.bind(hubServer.hubContext(HUB_PATH));
    roomsApi.bind(hubServer.hubContext(HUB_PATH));
  }

  /**
   * An instance id for {@code X-Chat-Instance} when {@code CHAT_INSTANCE_ID} is not set: random per
   * start, so the public header tells instances apart without naming the host.
   */
  private static String randomInstanceId() {
    byte[] bytes = new byte[6];
    new java.security.SecureRandom().nextBytes(bytes);
    return "instance-" + java.util.HexFormat.of().formatHex(bytes);
  }

  /** Binds the port and starts serving. */
  public ChatServer start() {
    Integer managementPort = settings.operations().managementPort();
    if (managementPort != null) {
      management = new ManagementServer(settings.host(), managementPort, ops.routes(true));
    }
    try {
      hubServer.start();
    } catch (RuntimeException e) {
      if (management != null) {
        management.close();
      }
      throw e;
    }
    return this;
  }

  /** The bound management port ({@code MANAGEMENT_PORT}), or -1 when there is none. */
  public int managementPort() {
    ManagementServer m = management;
    return m == null ? -1 : m.port();
  }

  public int port() {
    return hubServer.port();
  }

  /**
   * The users of hub requests and routes: bearer JWTs ({@link BearerTokens}), anonymous on the
   * serverless API's paths when it is on, each user carrying the connect URL's {@code lastSeq}. A
   * {@link org.jvmchat.hub.http.NonBlockingAuthenticator}: HS256 tokens and provider tokens whose
   * key is cached are checked on the event loop; a key-set fetch happens on the hub executor.
   */
  static org.jvmchat.hub.http.Authenticator authenticator(ChatSettings settings) {
    org.jvmchat.hub.http.Authenticator users =
        new BearerTokenAuthenticator(new BearerTokens(settings));
    return org.jvmchat.server.hub.RoomDelivery.carryingLastSeq(
        settings.chatAccessKey() == null
            ? users
            : org.jvmchat.server.serverless.ServerlessApi.exempting(users));
  }

  /** The base URL, e.g. {@code http://localhost:8080}. */
  public String url() {
    String host = settings.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "localhost";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port();
  }

  public ChatSettings settings() {
    return settings;
  }

  public ChatStore store() {
    return store;
  }

  public ScaleoutMode scaleout() {
    return scaleout;
  }

  public JwtTokens tokens() {
    return tokens;
  }

  public AssistantService assistant() {
    return assistant;
  }

  public HealthService health() {
    return health;
  }

  public ChatMetrics metrics() {
    return metrics;
  }

  private org.jvmchat.hub.HubContext hubContextOf(String path) {
    return hubServer.hubContext(path);
  }

  public HubServer hubServer() {
    return hubServer;
  }

  /**
   * Graceful stop: readiness answers 503 at once, then the hub server stops (clients get a Close
   * with {@code allowReconnect}, in-flight invocations get at most {@code grace}). Idempotent.
   */
  public void stop(Duration grace) {
    health.shuttingDown();
    if (stopped.compareAndSet(false, true)) {
      hubServer.stop(grace);
      hubExecutor.shutdown();
      assistant.close();
      limits.close();
      if (tracing != null) {
        tracing.close();
      }
      ManagementServer m = management;
      if (m != null) {
        m.close();
      }
      presence.close();
      metrics.close();
    }
  }

  @Override
  public void close() {
    stop(settings.shutdownGrace());
  }
}
