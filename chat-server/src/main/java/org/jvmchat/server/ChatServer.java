package org.jvmchat.server;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.ai.AssistantClient;
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
import org.jvmchat.server.ops.ChatMetrics;
import org.jvmchat.server.ops.HealthService;
import org.jvmchat.server.ops.OpsRoutes;
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
  private final HubServer hubServer;
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
    ChatService chat = new ChatService(store, settings.accessCacheRooms());
    this.assistant =
        new AssistantService(
            settings.assistant(),
            settings.assistantClientOptions().map(AssistantClient::create).orElse(null),
            settings.openAiModel(),
            chat,
            metrics);
    this.health = new HealthService(store, scaleout, assistant::health);

    UserConnections users = new UserConnections();
    HubOptions hubOptions =
        HubOptions.builder()
            .maxMessageSize(settings.maxMessageSize())
            .allowStatefulReconnects(settings.allowStatefulReconnects())
            .closeOnAuthenticationExpiration(true)
            .build();
    HubServer.Builder builder =
        HubServer.builder()
            .host(settings.host())
            .port(settings.port())
            .hub(
                HubServer.HubMapping.builder(
                        HUB_PATH, () -> new ChatHub(chat, users, metrics, assistant))
                    .options(hubOptions)
                    .requireAuthenticatedUser(true)
                    .build())
            .authenticator(new BearerTokenAuthenticator(new BearerTokens(settings)))
            .corsOrigins(settings.corsOrigins())
            .listener(metrics);
    if (scaleout.lifetimeManagerFactory() != null) {
      builder.lifetimeManagerFactory(scaleout.lifetimeManagerFactory());
    }
    byte[] connectionTokenKey = settings.connectionTokenKey();
    if (connectionTokenKey != null) {
      // Instances sharing the key accept each other's connection tokens (docs/DEPLOYING.md).
      builder.connectionTokenKey(connectionTokenKey).instanceUrl(settings.instance().url());
    }
    builder.instanceId(
        settings.instance().id() != null ? settings.instance().id() : localHostName());
    new RoomsApi(chat).register(builder);
    new AuthApi(settings, tokens).register(builder);
    new OpsRoutes(health, metrics).register(builder);
    StaticFiles files = new StaticFiles(settings.identity().authorityOrigin());
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
      throw e;
    }
    assistant.bind(hubServer.hubContext(HUB_PATH));
  }

  private static String localHostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** Binds the port and starts serving. */
  public ChatServer start() {
    hubServer.start();
    return this;
  }

  public int port() {
    return hubServer.port();
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
      assistant.close();
      metrics.close();
    }
  }

  @Override
  public void close() {
    stop(settings.shutdownGrace());
  }
}
