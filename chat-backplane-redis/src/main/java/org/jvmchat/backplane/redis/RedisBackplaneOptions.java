package org.jvmchat.backplane.redis;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of a {@link RedisBackplane}: where Redis is, and the timeouts and reconnect delays of
 * the backplane's own client (the reconnect delays also pace the retries of the first connect). No
 * channel prefix: channel names are the scale-out manager's ({@link
 * org.jvmchat.hub.spi.ScaleoutOptions#channelPrefix()}). Immutable; build with {@link
 * #builder(String)}.
 *
 * <pre>{@code
 * RedisBackplaneOptions options = RedisBackplaneOptions.builder(System.getenv("REDIS_URL"))
 *     .commandTimeout(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 */
public final class RedisBackplaneOptions {
  /** The URL used when none is configured: {@code redis://127.0.0.1:6379}. */
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

  /** How long opening a TCP connection to Redis may take: 2 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** How long a PUBLISH or SUBSCRIBE may wait for Redis's answer: 5 s. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** The first delay before reconnecting after a loss: 100 ms (then doubling). */
  public static final Duration DEFAULT_RECONNECT_DELAY_MIN = Duration.ofMillis(100);

  /** The longest delay between reconnect attempts: 5 s. */
  public static final Duration DEFAULT_RECONNECT_DELAY_MAX = Duration.ofSeconds(5);

  /** How many entries the stream keeps (approximately, {@code MAXLEN ~}): 100,000. */
  public static final int DEFAULT_STREAM_MAX_LENGTH = 100_000;

  /** How many messages a publisher keeps while Redis does not answer: 10,000. */
  public static final int DEFAULT_PUBLISH_BUFFER = 10_000;

  private final String redisUrl;
  private final RedisURI redisUri;
  private final String streamKey;
  private final int streamMaxLength;
  private final int publishBuffer;
  private final Duration connectTimeout;
  private final Duration commandTimeout;
  private final Duration reconnectDelayMin;
  private final Duration reconnectDelayMax;

  private RedisBackplaneOptions(Builder b, RedisURI uri) {
    this.redisUrl = b.redisUrl;
    this.redisUri = uri;
    this.connectTimeout = b.connectTimeout;
    this.commandTimeout = b.commandTimeout;
    this.reconnectDelayMin = b.reconnectDelayMin;
    this.reconnectDelayMax = b.reconnectDelayMax;
    this.streamKey = b.streamKey;
    this.streamMaxLength = b.streamMaxLength;
    this.publishBuffer = b.publishBuffer;
  }

  /**
   * A builder for {@code redisUrl}: {@code redis://host:port[/db]}, {@code rediss://} for TLS,
   * credentials as {@code redis://:password@host:port} or {@code redis://user:password@...}; null
   * or blank means {@link #DEFAULT_REDIS_URL}.
   */
  public static Builder builder(String redisUrl) {
    return new Builder(
        redisUrl == null || redisUrl.isBlank() ? DEFAULT_REDIS_URL : redisUrl.trim());
  }

  public Builder toBuilder() {
    return new Builder(redisUrl)
            .connectTimeout(connectTimeout)
            .commandTimeout(commandTimeout)
            .reconnectDelay(reconnectDelayMin, reconnectDelayMax)
            .stream(streamKey)
            .streamMaxLength(streamMaxLength)
            .publishBuffer(publishBuffer);
  }

  /** The URL as configured (may hold a password: never log it, see {@link #target()}). */
  public String redisUrl() {
    return redisUrl;
  }

  /** Where the backplane connects, without credentials, e.g. {@code redis://10.0.0.5:6379/0}. */
  public String target() {
    return (redisUri.isSsl() ? "rediss://" : "redis://")
        + redisUri.getHost()
        + ":"
        + redisUri.getPort()
        + "/"
        + redisUri.getDatabase();
  }

  RedisURI redisUri() {
    return redisUri;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration commandTimeout() {
    return commandTimeout;
  }

  public Duration reconnectDelayMin() {
    return reconnectDelayMin;
  }

  public Duration reconnectDelayMax() {
    return reconnectDelayMax;
  }

  /**
   * The stream that carries hub messages ({@link org.jvmchat.hub.spi.Backplane#deliver}), or {@code
   * null} for pub/sub only (at-most-once).
   */
  public String streamKey() {
    return streamKey;
  }

  public int streamMaxLength() {
    return streamMaxLength;
  }

  public int publishBuffer() {
    return publishBuffer;
  }

  @Override
  public String toString() {
    return "RedisBackplaneOptions[target="
        + target()
        + (streamKey == null
            ? ", pub/sub"
            : ", stream="
                + streamKey
                + " (maxLength "
                + streamMaxLength
                + ", publishBuffer "
                + publishBuffer
                + ")")
        + ", connectTimeout="
        + connectTimeout
        + ", commandTimeout="
        + commandTimeout
        + ", reconnectDelay="
        + reconnectDelayMin
        + ".."
        + reconnectDelayMax
        + "]";
  }

  /** Builds {@link RedisBackplaneOptions}; every setting starts at its {@code DEFAULT_*}. */
  public static final class Builder {
    private final String redisUrl;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration reconnectDelayMin = DEFAULT_RECONNECT_DELAY_MIN;
    private Duration reconnectDelayMax = DEFAULT_RECONNECT_DELAY_MAX;
    private String streamKey;
    private int streamMaxLength = DEFAULT_STREAM_MAX_LENGTH;
    private int publishBuffer = DEFAULT_PUBLISH_BUFFER;

    private Builder(String redisUrl) {
      this.redisUrl = redisUrl;
    }

    /** Default {@link #DEFAULT_CONNECT_TIMEOUT} (2 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Default {@link #DEFAULT_COMMAND_TIMEOUT} (5 s). */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * Delays between reconnect attempts: from {@code min}, doubling, up to {@code max}. Defaults
     * {@link #DEFAULT_RECONNECT_DELAY_MIN} (100 ms) and {@link #DEFAULT_RECONNECT_DELAY_MAX} (5 s).
     */
    public Builder reconnectDelay(Duration min, Duration max) {
      this.reconnectDelayMin = min;
      this.reconnectDelayMax = max;
      return this;
    }

    /**
     * Hub messages go through the Redis stream {@code key} instead of pub/sub, so none is lost
     * across an outage of bounded length: each instance reads the stream from the last entry it
     * read, and a publisher keeps what Redis did not take (up to {@link #publishBuffer(int)}) and
     * adds it, in order, once Redis answers again. Every instance of an application must use the
     * same key (and the same Redis). Messages that need a receiver count (group commands, client
     * results) stay on pub/sub. Default {@code null}: pub/sub only, at-most-once.
     */
    public Builder stream(String key) {
      this.streamKey = key == null || key.isBlank() ? null : key;
      return this;
    }

    /**
     * How many entries the stream keeps ({@code XADD MAXLEN ~}, so Redis may keep a few more): an
     * instance cut off for longer than it takes the application to publish this many messages
     * misses the oldest of them (counted and logged, {@link RedisBackplane#lostMessages()}).
     * Default {@link #DEFAULT_STREAM_MAX_LENGTH} (100,000).
     */
    public Builder streamMaxLength(int entries) {
      this.streamMaxLength = entries;
      return this;
    }

    /**
     * How many messages a publisher keeps while Redis does not take them; beyond it the oldest are
     * dropped (counted and logged). Default {@link #DEFAULT_PUBLISH_BUFFER} (10,000).
     */
    public Builder publishBuffer(int messages) {
      this.publishBuffer = messages;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the URL is not {@code redis://host:port[/db]} (or
     *     {@code rediss://}) or a duration is not positive
     */
    public RedisBackplaneOptions build() {
      positive(connectTimeout, "connectTimeout");
      positive(commandTimeout, "commandTimeout");
      positive(reconnectDelayMin, "reconnectDelayMin");
      positive(reconnectDelayMax, "reconnectDelayMax");
      if (reconnectDelayMax.compareTo(reconnectDelayMin) < 0) {
        throw new IllegalArgumentException("reconnectDelayMax must not be below reconnectDelayMin");
      }
      if (streamMaxLength < 1 || publishBuffer < 1) {
        throw new IllegalArgumentException(
            "streamMaxLength and publishBuffer must be at least 1: "
                + streamMaxLength
                + ", "
                + publishBuffer);
      }
      RedisURI uri = parse(redisUrl);
      uri.setTimeout(commandTimeout);
      return new RedisBackplaneOptions(this, uri);
    }

    private static void positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }

  /** Parses and checks a Redis URL; the message never repeats a password. */
  static RedisURI parse(String url) {
    String shape = "a Redis URL looks like redis://host:port[/db] or rediss://host:port[/db]";
    URI parsed;
    try {
      parsed = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid Redis URL (" + shape + "): " + e.getReason());
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new IllegalArgumentException(
          "Unsupported Redis URL scheme '" + scheme + "' (" + shape + ")");
    }
    if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
      throw new IllegalArgumentException("The Redis URL has no host (" + shape + ")");
    }
    String path = parsed.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      String db = path.substring(1);
      if (!db.matches("\\d{1,5}")) {
        throw new IllegalArgumentException(
            "The Redis URL's database must be a number, got '" + db + "' (" + shape + ")");
      }
    }
    try {
      return RedisURI.create(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Invalid Redis URL (" + shape + "): " + e.getMessage());
    }
  }
}
