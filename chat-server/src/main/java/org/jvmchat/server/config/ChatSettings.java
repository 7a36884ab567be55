package org.jvmchat.server.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.jvmchat.ai.AssistantClientOptions;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.persistence.StoreOptions;

/**
 * Every setting of the chat server, immutable and validated. {@link SettingsLoader} reads them from
 * the environment over an optional JSON file ({@code CHAT_CONFIG}) over the defaults below; tests
 * use {@link #builder()}.
 */
public final class ChatSettings {
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final ChatEnvironment DEFAULT_ENVIRONMENT = ChatEnvironment.DEVELOPMENT;
  public static final int MIN_JWT_SECRET_BYTES = 32;
  public static final Duration DEFAULT_DEV_TOKEN_LIFETIME = Duration.ofHours(12);
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  public static final String DEFAULT_OPENAI_BASE_URL = AssistantClientOptions.DEFAULT_BASE_URL;
  public static final String DEFAULT_OPENAI_MODEL = AssistantClientOptions.DEFAULT_MODEL;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_MESSAGE_SIZE = HubOptions.DEFAULT_MAX_MESSAGE_SIZE;
  public static final boolean DEFAULT_ALLOW_STATEFUL_RECONNECTS = true;
  public static final int DEFAULT_ACCESS_CACHE_ROOMS = 100_000;
  public static final int MAX_ACCESS_CACHE_ROOMS = 10_000_000;

  private final int port;
  private final String host;
  private final ChatEnvironment environment;
  private final StoreOptions store;
  private final String redisUrl;
  private final String azureSignalRConnection;
  private final String chatAccessKey;
  private final byte[] jwtSecret;
  private final boolean jwtSecretGenerated;
  private final String jwtIssuer;
  private final String jwtAudience;
  private final Duration devTokenLifetime;
  private final Duration clockSkew;
  private final String openAiApiKey;
  private final String openAiBaseUrl;
  private final String openAiModel;
  private final AssistantSettings assistant;
  private final Duration shutdownGrace;
  private final Set<String> corsOrigins;
  private final int maxMessageSize;
  private final boolean allowStatefulReconnects;
  private final int accessCacheRooms;
  private final InstanceSettings instance;
  private final OperationsSettings operations;
  private final ProtectionSettings protection;
  private final IdentitySettings identity;

  private ChatSettings(Builder b) {
    this.port = b.port;
    this.host = b.host;
    this.environment = b.environment;
    this.store = b.store;
    this.redisUrl = b.redisUrl;
    this.azureSignalRConnection = b.azureSignalRConnection;
    this.chatAccessKey = b.chatAccessKey;
    this.jwtSecret = b.jwtSecret.clone();
    this.jwtSecretGenerated = b.jwtSecretGenerated;
    this.jwtIssuer = b.jwtIssuer;
    this.jwtAudience = b.jwtAudience;
    this.devTokenLifetime = b.devTokenLifetime;
    this.clockSkew = b.clockSkew;
    this.openAiApiKey = b.openAiApiKey;
    this.openAiBaseUrl = b.openAiBaseUrl;
    this.openAiModel = b.openAiModel;
    this.assistant = b.assistant;
    this.shutdownGrace = b.shutdownGrace;
    this.corsOrigins = Set.copyOf(b.corsOrigins);
    this.maxMessageSize = b.maxMessageSize;
    this.allowStatefulReconnects = b.allowStatefulReconnects;
    this.accessCacheRooms = b.accessCacheRooms;
    this.instance = b.instance;
    this.operations = b.operations;
    this.protection = b.protection;
    this.identity = b.identity;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.port = port;
    b.host = host;
    b.environment = environment;
    b.store = store;
    b.redisUrl = redisUrl;
    b.azureSignalRConnection = azureSignalRConnection;
    b.chatAccessKey = chatAccessKey;
    b.jwtSecret = jwtSecret.clone();
    b.jwtSecretGenerated = jwtSecretGenerated;
    b.jwtIssuer = jwtIssuer;
    b.jwtAudience = jwtAudience;
    b.devTokenLifetime = devTokenLifetime;
    b.clockSkew = clockSkew;
    b.openAiApiKey = openAiApiKey;
    b.openAiBaseUrl = openAiBaseUrl;
    b.openAiModel = openAiModel;
    b.assistant = assistant;
    b.shutdownGrace = shutdownGrace;
    b.corsOrigins = corsOrigins;
    b.maxMessageSize = maxMessageSize;
    b.allowStatefulReconnects = allowStatefulReconnects;
    b.accessCacheRooms = accessCacheRooms;
    b.instance = instance;
    b.operations = operations;
    b.protection = protection;
    b.identity = identity;
    return b;
  }

  /** HTTP port of every endpoint and transport; 0 picks a free one. Default 8080. */
  public int port() {
    return port;
  }

  /** Address to bind. Default all interfaces. */
  public String host() {
    return host;
  }

  public ChatEnvironment environment() {
    return environment;
  }

  public boolean isDevelopment() {
    return environment == ChatEnvironment.DEVELOPMENT;
  }

  /** How the chat store is opened (embedded PostgreSQL unless a database URL is set). */
  public StoreOptions store() {
    return store;
  }

  /** The Redis backplane URL, or {@code null} for the in-process backplane. */
  public String redisUrl() {
    return redisUrl;
  }

  /**
   * The Azure SignalR Service connection string ({@code AZURE_SIGNALR_CONNECTION}, default mode),
   * or {@code null}.
   */
  public String azureSignalRConnection() {
    return azureSignalRConnection;
  }

  /**
   * The access key of the serverless REST data plane ({@code CHAT_ACCESS_KEY}), or {@code null}
   * when it is off.
   */
  public String chatAccessKey() {
    return chatAccessKey;
  }

  /** The HS256 key for bearer tokens (a copy). */
  public byte[] jwtSecret() {
    return jwtSecret.clone();
  }

  /** Whether the key was generated at start (Development without {@code JWT_SECRET}). */
  public boolean jwtSecretGenerated() {
    return jwtSecretGenerated;
  }

  /** Required {@code iss} of tokens (and written into dev tokens), or {@code null}. */
  public String jwtIssuer() {
    return jwtIssuer;
  }

  /** Required {@code aud} of tokens (and written into dev tokens), or {@code null}. */
  public String jwtAudience() {
    return jwtAudience;
  }

  /** Lifetime of tokens made by {@code /api/v1/auth/dev-token}. Default 12 h. */
  public Duration devTokenLifetime() {
    return devTokenLifetime;
  }

  /** Tolerated clock difference when checking {@code exp}/{@code nbf}. Default 60 s. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /** The assistant's API key, or {@code null} (assistant disabled). */
  public String openAiApiKey() {
    return openAiApiKey;
  }

  public String openAiBaseUrl() {
    return openAiBaseUrl;
  }

  public String openAiModel() {
    return openAiModel;
  }

  /** How the assistant behaves: prompt, context budget, timeouts, rate limit. */
  public AssistantSettings assistant() {
    return assistant;
  }

  /** Whether the assistant is on ({@code OPENAI_API_KEY} is set). */
  public boolean assistantEnabled() {
    return openAiApiKey != null;
  }

  /** The chat-ai client options, when the assistant is on. */
  public java.util.Optional<org.jvmchat.ai.AssistantClientOptions> assistantClientOptions() {
    return assistantEnabled()
        ? java.util.Optional.of(assistant.clientOptions(openAiBaseUrl, openAiApiKey, openAiModel))
        : java.util.Optional.empty();
  }

  /** Longest graceful shutdown (in-flight invocations, Close to clients). Default 10 s. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /** Origins allowed for cross-origin browser requests; empty (default) allows none. */
  public Set<String> corsOrigins() {
    return corsOrigins;
  }

  /** Largest hub message accepted from a client, in bytes. Default 32 KiB. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** Whether clients may use stateful reconnect. Default true. */
  public boolean allowStatefulReconnects() {
    return allowStatefulReconnects;
  }

  /**
   * Bound of the room-access caches: at most this many rooms and this many positive "user takes
   * part in room" answers are kept (least recently used evicted); 0 turns caching off. Default
   * 100,000.
   */
  public int accessCacheRooms() {
    return accessCacheRooms;
  }

  /** Abuse limits, logs and the management port ({@link OperationsSettings}). */
  public OperationsSettings operations() {
    return operations;
  }

  /** Connection-token key, instance URL and id (several instances behind one load balancer). */
  public InstanceSettings instance() {
    return instance;
  }

  /** The OpenID Connect provider whose tokens are accepted, and the page's sign-in settings. */
  public IdentitySettings identity() {
    return identity;
  }

  /** The key of signed connection tokens, or null (see {@link InstanceSettings}). */
  public byte[] connectionTokenKey() {
    return instance.connectionTokenKey(jwtSecret, jwtSecretGenerated);
  }

  /** Abuse limits: room creation, {@code /health} details (issue #27). */
  public ProtectionSettings protection() {
    return protection;
  }

  /** A description without secrets, for the start-up log. */
  @Override
  public String toString() {
    return "ChatSettings{port="
        + port
        + ", host="
        + host
        + ", environment="
        + environment.displayName()
        + ", store="
        + store
        + ", redis="
        + (redisUrl == null ? "none" : "set")
        + (azureSignalRConnection == null ? "" : ", azureSignalR=set")
        + (chatAccessKey == null ? "" : ", chatAccessKey=set")
        + ", jwtSecret="
        + (jwtSecretGenerated ? "generated" : "set")
        + ", jwtIssuer="
        + jwtIssuer
        + ", jwtAudience="
        + jwtAudience
        + ", openAiApiKey="
        + (openAiApiKey == null ? "none" : "set")
        + ", openAiBaseUrl="
        + openAiBaseUrl
        + ", openAiModel="
        + openAiModel
        + ", assistant="
        + assistant
        + ", shutdownGrace="
        + shutdownGrace
        + ", corsOrigins="
        + corsOrigins
        + ", maxMessageSize="
        + maxMessageSize
        + ", allowStatefulReconnects="
        + allowStatefulReconnects
        + ", accessCacheRooms="
        + accessCacheRooms
        + ", instance="
        + instance
        + ", operations="
        + operations
        + ", protection="
        + protection
        + ", identity="
        + identity
        + "}";
  }

  /** Builder; every setting starts at its default. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private String host = DEFAULT_HOST;
    private ChatEnvironment environment = DEFAULT_ENVIRONMENT;
    private StoreOptions store = StoreOptions.builder().build();
    private String redisUrl;
    private String azureSignalRConnection;
    private String chatAccessKey;
    private byte[] jwtSecret;
    private boolean jwtSecretGenerated;
    private String jwtIssuer;
    private String jwtAudience;
    private Duration devTokenLifetime = DEFAULT_DEV_TOKEN_LIFETIME;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private String openAiApiKey;
    private String openAiBaseUrl = DEFAULT_OPENAI_BASE_URL;
    private String openAiModel = DEFAULT_OPENAI_MODEL;
    private AssistantSettings assistant = AssistantSettings.builder().build();
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Set<String> corsOrigins = Set.of();
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private boolean allowStatefulReconnects = DEFAULT_ALLOW_STATEFUL_RECONNECTS;
    private int accessCacheRooms = DEFAULT_ACCESS_CACHE_ROOMS;
    private InstanceSettings instance = InstanceSettings.defaults();
    private OperationsSettings operations = OperationsSettings.defaults();
    private ProtectionSettings protection = ProtectionSettings.defaults();
    private IdentitySettings identity = IdentitySettings.none();

    private Builder() {}

    /** Limits, logs and the management port; default {@link OperationsSettings#defaults()}. */
    public Builder operations(OperationsSettings operations) {
      this.operations = Objects.requireNonNull(operations, "operations");
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder environment(ChatEnvironment environment) {
      this.environment = environment;
      return this;
    }

    public Builder store(StoreOptions store) {
      this.store = store;
      return this;
    }

    public Builder redisUrl(String redisUrl) {
      this.redisUrl = redisUrl;
      return this;
    }

    /** {@code CHAT_ACCESS_KEY}: serves the serverless REST data plane (at least 32 bytes). */
    public Builder chatAccessKey(String key) {
      this.chatAccessKey = key == null || key.isEmpty() ? null : key;
      return this;
    }

    /**
     * {@code AZURE_SIGNALR_CONNECTION}: clients are sent to Azure SignalR Service (default mode).
     */
    public Builder azureSignalRConnection(String connectionString) {
      this.azureSignalRConnection =
          connectionString == null || connectionString.isBlank() ? null : connectionString.strip();
      return this;
    }

    /** The HS256 key as text (its UTF-8 bytes are the key); at least 32 bytes. */
    public Builder jwtSecret(String secret) {
      this.jwtSecret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
      this.jwtSecretGenerated = false;
      return this;
    }

    /** A key generated at start (Development only). */
    Builder generatedJwtSecret(byte[] secret) {
      this.jwtSecret = secret.clone();
      this.jwtSecretGenerated = true;
      return this;
    }

    public Builder jwtIssuer(String issuer) {
      this.jwtIssuer = issuer;
      return this;
    }

    public Builder jwtAudience(String audience) {
      this.jwtAudience = audience;
      return this;
    }

    public Builder devTokenLifetime(Duration lifetime) {
      this.devTokenLifetime = lifetime;
      return this;
    }

    public Builder clockSkew(Duration skew) {
      this.clockSkew = skew;
      return this;
    }

    public Builder openAiApiKey(String key) {
      this.openAiApiKey = key;
      return this;
    }

    public Builder openAiBaseUrl(String url) {
      this.openAiBaseUrl = url;
      return this;
    }

    public Builder openAiModel(String model) {
      this.openAiModel = model;
      return this;
    }

    public Builder assistant(AssistantSettings assistant) {
      this.assistant = assistant;
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = grace;
      return this;
    }

    public Builder corsOrigins(Set<String> origins) {
      this.corsOrigins = Set.copyOf(origins);
      return this;
    }

    public Builder maxMessageSize(int bytes) {
      this.maxMessageSize = bytes;
      return this;
    }

    public Builder allowStatefulReconnects(boolean allowed) {
      this.allowStatefulReconnects = allowed;
      return this;
    }

    /** The OpenID Connect provider; default {@link IdentitySettings#none()}. */
    public Builder identity(IdentitySettings identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /** Connection-token key, instance URL and id; default {@link InstanceSettings#defaults()}. */
    public Builder instance(InstanceSettings instance) {
      this.instance = Objects.requireNonNull(instance, "instance");
      return this;
    }

    /** Abuse limits; default {@link ProtectionSettings#defaults()}. */
    public Builder protection(ProtectionSettings protection) {
      this.protection = Objects.requireNonNull(protection, "protection");
      return this;
    }

    /** Bound of the room-access caches (0..10,000,000; 0 = no caching). */
    public Builder accessCacheRooms(int entries) {
      this.accessCacheRooms = entries;
      return this;
    }

    /**
     * Validates and builds. In Development a missing JWT key is generated (random, per start).
     *
     * @throws SettingsException with one readable line naming the setting
     */
    public ChatSettings build() {
      if (port < 0 || port > 65535) {
        throw new SettingsException("PORT must be 0..65535 (was " + port + ")");
      }
      if (host == null || host.isBlank()) {
        throw new SettingsException("host must not be empty");
      }
      Objects.requireNonNull(environment, "environment");
      Objects.requireNonNull(store, "store");
      if (chatAccessKey != null
          && chatAccessKey.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
        throw new SettingsException("CHAT_ACCESS_KEY must have at least 32 bytes");
      }
      if (redisUrl != null && redisUrl.isBlank()) {
        redisUrl = null;
      }
      if (redisUrl != null
          && !redisUrl.startsWith("redis://")
          && !redisUrl.startsWith("rediss://")) {
        throw new SettingsException("REDIS_URL must look like redis://host:port[/db]");
      }
      if (jwtSecret != null && jwtSecret.length == 0) {
        jwtSecret = null;
      }
      if (jwtSecret == null) {
        if (environment == ChatEnvironment.PRODUCTION) {
          throw new SettingsException(
              "JWT_SECRET is required in Production (an HS256 key of at least "
                  + MIN_JWT_SECRET_BYTES
                  + " bytes)");
        }
        byte[] generated = new byte[MIN_JWT_SECRET_BYTES];
        new java.security.SecureRandom().nextBytes(generated);
        jwtSecret = generated;
        jwtSecretGenerated = true;
      }
      if (jwtSecret.length < MIN_JWT_SECRET_BYTES) {
        throw new SettingsException(
            "JWT_SECRET must be at least "
                + MIN_JWT_SECRET_BYTES
                + " bytes long for HS256 (was "
                + jwtSecret.length
                + ")");
      }
      if (instance.url() != null
          && instance.connectionTokenKey(jwtSecret, jwtSecretGenerated) == null) {
        throw new SettingsException(
            "CHAT_INSTANCE_URL needs CONNECTION_TOKEN_SECRET or JWT_SECRET (a key every instance"
                + " shares, for the signed connection tokens)");
      }
      jwtIssuer = blankToNull(jwtIssuer);
      jwtAudience = blankToNull(jwtAudience);
      positive("jwt.devTokenLifetime", devTokenLifetime);
      if (clockSkew == null || clockSkew.isNegative()) {
        throw new SettingsException("jwt.clockSkew must not be negative");
      }
      openAiApiKey = blankToNull(openAiApiKey);
      if (openAiBaseUrl == null
          || !(openAiBaseUrl.startsWith("http://") || openAiBaseUrl.startsWith("https://"))) {
        throw new SettingsException(
            "OPENAI_BASE_URL must be an http:// or https:// URL (was " + openAiBaseUrl + ")");
      }
      if (openAiModel == null || openAiModel.isBlank()) {
        throw new SettingsException("OPENAI_MODEL must not be empty");
      }
      Objects.requireNonNull(assistant, "assistant");
      if (openAiApiKey != null) {
        try {
          assistant.clientOptions(openAiBaseUrl, openAiApiKey, openAiModel);
        } catch (IllegalArgumentException e) {
          throw new SettingsException(
              "the assistant settings are invalid (OPENAI_*/ASSISTANT_*): " + e.getMessage());
        }
      }
      positive("shutdownGrace", shutdownGrace);
      for (String origin : corsOrigins) {
        if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
          throw new SettingsException(
              "corsOrigins entries must be '*' or an origin like https://chat.example.com (was '"
                  + origin
                  + "')");
        }
      }
      if (maxMessageSize < 1024 || maxMessageSize > 16 * 1024 * 1024) {
        throw new SettingsException(
            "hub.maxMessageSize must be 1024..16777216 bytes (was " + maxMessageSize + ")");
      }
      if (accessCacheRooms < 0 || accessCacheRooms > MAX_ACCESS_CACHE_ROOMS) {
        throw new SettingsException(
            "CHAT_ACCESS_CACHE_ROOMS must be 0.."
                + MAX_ACCESS_CACHE_ROOMS
                + " (was "
                + accessCacheRooms
                + ")");
      }
      return new ChatSettings(this);
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s;
    }

    private static void positive(String name, Duration d) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new SettingsException(name + " must be a positive duration (was " + d + ")");
      }
    }
  }
}
