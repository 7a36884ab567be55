package org.jvmchat.persistence;

import static org.jvmchat.persistence.settings.SettingValues.duration;
import static org.jvmchat.persistence.settings.SettingValues.get;
import static org.jvmchat.persistence.settings.SettingValues.oneOf;
import static org.jvmchat.persistence.settings.SettingValues.wholeNumber;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jvmchat.persistence.settings.InvalidSettingException;

/**
 * How {@link ChatStores#open(StoreOptions)} opens the store. Immutable; build with {@link
 * #builder()} or read from the environment with {@link #fromEnvironment(Map)}.
 *
 * <p>Environment variables (all optional; durations are a number with {@code ms}, {@code s}, {@code
 * m} or {@code h}, a bare number of milliseconds, or ISO-8601 like {@code PT5S}, as {@link
 * org.jvmchat.persistence.settings.SettingValues} reads them):
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code DATABASE_URL}</td><td>external PostgreSQL, {@code postgres://user:pass@host:port/db}
 *       or {@code jdbc:postgresql://...}</td><td>embedded PostgreSQL</td></tr>
 *   <tr><td>{@code CHAT_DATA_DIR}</td><td>data directory of the embedded PostgreSQL
 *       (its cluster lives in {@code <dir>/pg})</td><td>{@code ./data}</td></tr>
 *   <tr><td>{@code CHAT_EMBEDDED_DB_PORT}</td><td>port of the embedded PostgreSQL on
 *       127.0.0.1, {@code 0} = a free one</td><td>{@code 0}</td></tr>
 *   <tr><td>{@code DB_SCHEMA}</td><td>schema for the tables (created if missing)</td>
 *       <td>the server's default ({@code public})</td></tr>
 *   <tr><td>{@code DB_POOL_SIZE}</td><td>maximum connections</td><td>10</td></tr>
 *   <tr><td>{@code DB_CONNECT_TIMEOUT}</td><td>longest wait for a connection</td><td>5s</td></tr>
 *   <tr><td>{@code DB_SOCKET_TIMEOUT}</td><td>longest wait for one database answer</td><td>30s</td></tr>
 *   <tr><td>{@code DB_STARTUP_TIMEOUT}</td><td>how long start-up retries an unreachable
 *       database (with backoff) before it fails</td><td>30s</td></tr>
 *   <tr><td>{@code DB_WRITE_QUEUE_CAPACITY}</td><td>appends waiting for the writer; more are
 *       refused at once</td><td>10000</td></tr>
 *   <tr><td>{@code DB_WRITE_BATCH_SIZE}</td><td>most appends committed in one transaction</td>
 *       <td>500</td></tr>
 *   <tr><td>{@code DB_WRITE_CONNECTIONS}</td><td>group-commit writer connections; with more
 *       than one, a batch's statement runs while the previous batch waits for its COMMIT (pays when
 *       COMMIT waits long, e.g. a remote database; costs CPU in smaller batches)</td><td>1</td></tr>
 *   <tr><td>{@code CHAT_MEMORY_MESSAGES_PER_ROOM}</td><td>with {@code CHAT_STORE=memory}: the
 *       newest messages kept per room; older ones leave the history (a bound on the store's memory)
 *       </td><td>10000</td></tr>
 *   <tr><td>{@code CHAT_STORE}</td><td>{@code postgres} (durable: {@code DATABASE_URL} or the
 *       embedded server) or {@code memory} (nothing survives a restart: development, tests and
 *       benchmarks that leave the database out)</td><td>{@code postgres}</td></tr>
 * </table>
 */
public final class StoreOptions {
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("data");
  public static final int DEFAULT_EMBEDDED_PORT = 0;
  public static final int DEFAULT_POOL_SIZE = 10;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_WRITE_QUEUE_CAPACITY = 10_000;
  public static final int DEFAULT_WRITE_BATCH_SIZE = 500;
  public static final int DEFAULT_WRITE_CONNECTIONS = 1;
  public static final int DEFAULT_MEMORY_MESSAGES_PER_ROOM =
      InMemoryChatStore.DEFAULT_MESSAGES_PER_ROOM;

  private final String databaseUrl;
  private final Path dataDirectory;
  private final int embeddedPort;
  private final String schema;
  private final int poolSize;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final Duration startupTimeout;
  private final int writeQueueCapacity;
  private final int writeBatchSize;
  private final int writeConnections;
  private final boolean inMemory;
  private final int memoryMessagesPerRoom;

  private StoreOptions(Builder b) {
    this.databaseUrl = b.databaseUrl;
    this.dataDirectory = b.dataDirectory;
    this.embeddedPort = b.embeddedPort;
    this.schema = b.schema;
    this.poolSize = b.poolSize;
    this.connectTimeout = b.connectTimeout;
    this.socketTimeout = b.socketTimeout;
    this.startupTimeout = b.startupTimeout;
    this.writeQueueCapacity = b.writeQueueCapacity;
    this.writeBatchSize = b.writeBatchSize;
    this.writeConnections = b.writeConnections;
    this.inMemory = b.inMemory;
    this.memoryMessagesPerRoom = b.memoryMessagesPerRoom;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .databaseUrl(databaseUrl)
        .dataDirectory(dataDirectory)
        .embeddedPort(embeddedPort)
        .schema(schema)
        .poolSize(poolSize)
        .connectTimeout(connectTimeout)
        .socketTimeout(socketTimeout)
        .startupTimeout(startupTimeout)
        .writeQueueCapacity(writeQueueCapacity)
        .writeBatchSize(writeBatchSize)
        .writeConnections(writeConnections)
        .inMemory(inMemory)
        .memoryMessagesPerRoom(memoryMessagesPerRoom);
  }

  /** Settings from the process environment ({@link System#getenv()}). */
  public static StoreOptions fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Settings from environment variables (names in the class documentation); missing or blank ones
   * keep their defaults.
   *
   * @throws InvalidSettingException naming the variable, quoting the value and saying what is
   *     expected when a value cannot be read
   * @throws IllegalArgumentException when a value is out of range ({@link Builder#build()})
   */
  public static StoreOptions fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    String v;
    if ((v = get(env, "DATABASE_URL")) != null) {
      b.databaseUrl(v);
    }
    if ((v = get(env, "CHAT_DATA_DIR")) != null) {
      b.dataDirectory(Path.of(v));
    }
    if ((v = get(env, "CHAT_EMBEDDED_DB_PORT")) != null) {
      b.embeddedPort(wholeNumber("CHAT_EMBEDDED_DB_PORT", v));
    }
    if ((v = get(env, "DB_SCHEMA")) != null) {
      b.schema(v);
    }
    if ((v = get(env, "DB_POOL_SIZE")) != null) {
      b.poolSize(wholeNumber("DB_POOL_SIZE", v));
    }
    if ((v = get(env, "DB_CONNECT_TIMEOUT")) != null) {
      b.connectTimeout(duration("DB_CONNECT_TIMEOUT", v));
    }
    if ((v = get(env, "DB_SOCKET_TIMEOUT")) != null) {
      b.socketTimeout(duration("DB_SOCKET_TIMEOUT", v));
    }
    if ((v = get(env, "DB_STARTUP_TIMEOUT")) != null) {
      b.startupTimeout(duration("DB_STARTUP_TIMEOUT", v));
    }
    if ((v = get(env, "DB_WRITE_QUEUE_CAPACITY")) != null) {
      b.writeQueueCapacity(wholeNumber("DB_WRITE_QUEUE_CAPACITY", v));
    }
    if ((v = get(env, "DB_WRITE_BATCH_SIZE")) != null) {
      b.writeBatchSize(wholeNumber("DB_WRITE_BATCH_SIZE", v));
    }
    if ((v = get(env, "DB_WRITE_CONNECTIONS")) != null) {
      b.writeConnections(wholeNumber("DB_WRITE_CONNECTIONS", v));
    }
    if ((v = get(env, "CHAT_STORE")) != null) {
      b.inMemory(oneOf("CHAT_STORE", v, "postgres", "memory").equals("memory"));
    }
    if ((v = get(env, "CHAT_MEMORY_MESSAGES_PER_ROOM")) != null) {
      b.memoryMessagesPerRoom(wholeNumber("CHAT_MEMORY_MESSAGES_PER_ROOM", v));
    }
    return b.build();
  }

  /** External PostgreSQL URL, or {@code null} for the embedded PostgreSQL. */
  public String databaseUrl() {
    return databaseUrl;
  }

  /** Whether {@link ChatStores#open} starts an embedded PostgreSQL. */
  public boolean embedded() {
    return databaseUrl == null;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public int embeddedPort() {
    return embeddedPort;
  }

  /** Schema for the tables, or {@code null} for the connection's default. */
  public String schema() {
    return schema;
  }

  public int poolSize() {
    return poolSize;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration socketTimeout() {
    return socketTimeout;
  }

  public Duration startupTimeout() {
    return startupTimeout;
  }

  public int writeQueueCapacity() {
    return writeQueueCapacity;
  }

  public int writeBatchSize() {
    return writeBatchSize;
  }

  /**
   * Group-commit writer threads, each with its own connection and transaction: while one batch
   * waits for its COMMIT, the next one runs its statements (at most the pool size is used).
   */
  public int writeConnections() {
    return writeConnections;
  }

  /**
   * With {@link #inMemory()}: the newest messages kept per room (older ones leave the history; see
   * {@link InMemoryChatStore}).
   */
  public int memoryMessagesPerRoom() {
    return memoryMessagesPerRoom;
  }

  /** Whether the store keeps everything in memory ({@code CHAT_STORE=memory}): not durable. */
  public boolean inMemory() {
    return inMemory;
  }

  @Override
  public String toString() {
    return "StoreOptions{"
        + (databaseUrl == null ? "embedded, dataDirectory=" + dataDirectory : "external")
        + ", schema="
        + schema
        + ", poolSize="
        + poolSize
        + ", connectTimeout="
        + connectTimeout
        + ", socketTimeout="
        + socketTimeout
        + ", startupTimeout="
        + startupTimeout
        + ", writeQueueCapacity="
        + writeQueueCapacity
        + ", writeBatchSize="
        + writeBatchSize
        + ", writeConnections="
        + writeConnections
        + ", memoryMessagesPerRoom="
        + memoryMessagesPerRoom
        + ", inMemory="
        + inMemory
        + "}";
  }

  /** Builder; every setting starts at its {@code DEFAULT_*}. */
  public static final class Builder {
    private String databaseUrl;
    private Path dataDirectory = DEFAULT_DATA_DIRECTORY;
    private int embeddedPort = DEFAULT_EMBEDDED_PORT;
    private String schema;
    private int poolSize = DEFAULT_POOL_SIZE;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration socketTimeout = DEFAULT_SOCKET_TIMEOUT;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private int writeQueueCapacity = DEFAULT_WRITE_QUEUE_CAPACITY;
    private int writeBatchSize = DEFAULT_WRITE_BATCH_SIZE;
    private int writeConnections = DEFAULT_WRITE_CONNECTIONS;
    private int memoryMessagesPerRoom = DEFAULT_MEMORY_MESSAGES_PER_ROOM;
    private boolean inMemory;

    private Builder() {}

    /**
     * External PostgreSQL as {@code postgres://user:pass@host:port/db}, {@code postgresql://...} or
     * {@code jdbc:postgresql://...}; {@code null} (default) for the embedded PostgreSQL.
     */
    public Builder databaseUrl(String databaseUrl) {
      this.databaseUrl = databaseUrl;
      return this;
    }

    /** Data directory of the embedded PostgreSQL (default {@code ./data}). */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
      return this;
    }

    /** Port of the embedded PostgreSQL, {@code 0} (default) for a free one. */
    public Builder embeddedPort(int embeddedPort) {
      this.embeddedPort = embeddedPort;
      return this;
    }

    /** Schema for the tables, created if missing; {@code null} (default) for the default one. */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /** Maximum pool connections (default {@value StoreOptions#DEFAULT_POOL_SIZE}). */
    public Builder poolSize(int poolSize) {
      this.poolSize = poolSize;
      return this;
    }

    /** Longest wait for a connection (default 5 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Longest wait for one database answer before the connection counts as lost (30 s). */
    public Builder socketTimeout(Duration socketTimeout) {
      this.socketTimeout = socketTimeout;
      return this;
    }

    /** How long start-up retries an unreachable database before failing (default 30 s). */
    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = startupTimeout;
      return this;
    }

    /** Appends that may wait for the writer; more are refused (default 10000). */
    public Builder writeQueueCapacity(int writeQueueCapacity) {
      this.writeQueueCapacity = writeQueueCapacity;
      return this;
    }

    /** Most appends committed in one transaction (default 500). */
    public Builder writeBatchSize(int writeBatchSize) {
      this.writeBatchSize = writeBatchSize;
      return this;
    }

    /** With {@link #inMemory}: the newest messages kept per room, at least 1. */
    public Builder memoryMessagesPerRoom(int memoryMessagesPerRoom) {
      this.memoryMessagesPerRoom = memoryMessagesPerRoom;
      return this;
    }

    /**
     * Group-commit writer connections, 1..16 (default {@value
     * StoreOptions#DEFAULT_WRITE_CONNECTIONS}).
     */
    public Builder writeConnections(int writeConnections) {
      this.writeConnections = writeConnections;
      return this;
    }

    /**
     * Keep everything in memory instead of PostgreSQL: nothing survives a restart and instances
     * share nothing. For development, tests and benchmarks that leave the database out.
     */
    public Builder inMemory(boolean inMemory) {
      this.inMemory = inMemory;
      return this;
    }

    /**
     * @throws IllegalArgumentException when a value is out of range
     */
    public StoreOptions build() {
      if (inMemory && databaseUrl != null) {
        throw new IllegalArgumentException(
            "CHAT_STORE=memory and DATABASE_URL exclude each other: unset one of them");
      }
      if (databaseUrl != null && databaseUrl.isBlank()) {
        databaseUrl = null;
      }
      if (databaseUrl != null
          && !(databaseUrl.startsWith("postgres://")
              || databaseUrl.startsWith("postgresql://")
              || databaseUrl.startsWith("jdbc:postgresql:"))) {
        throw new IllegalArgumentException(
            "DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql:");
      }
      Objects.requireNonNull(dataDirectory, "dataDirectory");
      if (embeddedPort < 0 || embeddedPort > 65535) {
        throw new IllegalArgumentException(
            "embeddedPort must be 0..65535 (was " + embeddedPort + ")");
      }
      if (schema != null && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException(
            "schema must be a lowercase SQL identifier like chat or chat_test (was "
                + schema
                + ")");
      }
      if (poolSize < 1 || poolSize > 1000) {
        throw new IllegalArgumentException("poolSize must be 1..1000 (was " + poolSize + ")");
      }
      requirePositive("connectTimeout", connectTimeout, Duration.ofMillis(250));
      requirePositive("socketTimeout", socketTimeout, Duration.ofSeconds(1));
      requirePositive("startupTimeout", startupTimeout, Duration.ZERO);
      if (writeQueueCapacity < 1) {
        throw new IllegalArgumentException(
            "writeQueueCapacity must be at least 1 (was " + writeQueueCapacity + ")");
      }
      if (writeBatchSize < 1 || writeBatchSize > 10_000) {
        throw new IllegalArgumentException(
            "writeBatchSize must be 1..10000 (was " + writeBatchSize + ")");
      }
      if (memoryMessagesPerRoom < 1) {
        throw new IllegalArgumentException(
            "memoryMessagesPerRoom must be at least 1 (was " + memoryMessagesPerRoom + ")");
      }
      if (writeConnections < 1 || writeConnections > 16) {
        throw new IllegalArgumentException(
            "writeConnections must be 1..16 (was " + writeConnections + ")");
      }
      return new StoreOptions(this);
    }

    private static void requirePositive(String name, Duration value, Duration min) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            name + " must be at least " + min + " (was " + value + ")");
      }
    }
  }
}
