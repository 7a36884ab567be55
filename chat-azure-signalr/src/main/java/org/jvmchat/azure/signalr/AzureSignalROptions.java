package org.jvmchat.azure.signalr;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * How an app server connects to Azure SignalR Service (default mode). Immutable; built with {@link
 * #builder(String)}. Defaults follow the official SDK where it has one (5 server connections per
 * hub, a keep-alive ping every 5 s, the service considered gone after 30 s of silence, a 15 s
 * handshake timeout, access tokens valid for 1 hour).
 */
public final class AzureSignalROptions {
  private final AzureSignalRConnectionString connectionString;
  private final int connectionCount;
  private final String applicationName;
  private final String serverId;
  private final Function<String, String> hubName;
  private final Duration accessTokenLifetime;
  private final Duration keepAliveInterval;
  private final Duration serviceTimeout;
  private final Duration handshakeTimeout;
  private final Duration reconnectDelay;
  private final Duration maxReconnectDelay;
  private final Duration ackTimeout;
  private final Duration shutdownTimeout;
  private final int maxMessageSize;

  private AzureSignalROptions(Builder b) {
    this.connectionString = b.connectionString;
    this.connectionCount = b.connectionCount;
    this.applicationName = b.applicationName;
    this.serverId = b.serverId;
    this.hubName = b.hubName;
    this.accessTokenLifetime = b.accessTokenLifetime;
    this.keepAliveInterval = b.keepAliveInterval;
    this.serviceTimeout = b.serviceTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.reconnectDelay = b.reconnectDelay;
    this.maxReconnectDelay = b.maxReconnectDelay;
    this.ackTimeout = b.ackTimeout;
    this.shutdownTimeout = b.shutdownTimeout;
    this.maxMessageSize = b.maxMessageSize;
  }

  /**
   * Options for the service named by {@code connectionString} ({@code Endpoint=...;AccessKey=...;
   * Version=1.0;}).
   *
   * @throws IllegalArgumentException for a malformed connection string
   */
  public static Builder builder(String connectionString) {
    return new Builder(AzureSignalRConnectionString.parse(connectionString));
  }

  /**
   * The hub name Azure uses for a hub path: its last segment in lower case ({@code /hubs/chat} →
   * {@code chat}), as the SDK lower-cases the hub's class name.
   */
  public static String defaultHubName(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(p.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
  }

  public AzureSignalRConnectionString connectionString() {
    return connectionString;
  }

  public int connectionCount() {
    return connectionCount;
  }

  public String applicationName() {
    return applicationName;
  }

  public String serverId() {
    return serverId;
  }

  /** The service's name of the hub mapped at {@code path}, application prefix included. */
  public String serviceHubName(String path) {
    String hub = hubName.apply(path).toLowerCase(Locale.ROOT);
    return applicationName == null ? hub : applicationName.toLowerCase(Locale.ROOT) + "_" + hub;
  }

  public Duration accessTokenLifetime() {
    return accessTokenLifetime;
  }

  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  public Duration serviceTimeout() {
    return serviceTimeout;
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  public Duration reconnectDelay() {
    return reconnectDelay;
  }

  public Duration maxReconnectDelay() {
    return maxReconnectDelay;
  }

  public Duration ackTimeout() {
    return ackTimeout;
  }

  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  public int maxMessageSize() {
    return maxMessageSize;
  }

  @Override
  public String toString() {
    return "AzureSignalROptions["
        + connectionString
        + ", connections="
        + connectionCount
        + ", serverId="
        + serverId
        + "]";
  }

  /** Builds {@link AzureSignalROptions}. */
  public static final class Builder {
    private final AzureSignalRConnectionString connectionString;
    private int connectionCount = 5;
    private String applicationName;
    private String serverId = defaultServerId();
    private Function<String, String> hubName = AzureSignalROptions::defaultHubName;
    private Duration accessTokenLifetime = Duration.ofHours(1);
    private Duration keepAliveInterval = Duration.ofSeconds(5);
    private Duration serviceTimeout = Duration.ofSeconds(30);
    private Duration handshakeTimeout = Duration.ofSeconds(15);
    private Duration reconnectDelay = Duration.ofSeconds(1);
    private Duration maxReconnectDelay = Duration.ofSeconds(60);
    private Duration ackTimeout = Duration.ofSeconds(10);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private int maxMessageSize = 16 * 1024 * 1024;

    private Builder(AzureSignalRConnectionString connectionString) {
      this.connectionString = connectionString;
    }

    private static String defaultServerId() {
      String host;
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException | RuntimeException e) {
        host = "server";
      }
      return host
          + "_"
          + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** Server connections per hub; default 5 (the SDK's default). */
    public Builder connectionCount(int count) {
      if (count < 1 || count > 100) {
        throw new IllegalArgumentException("connectionCount must be 1..100");
      }
      this.connectionCount = count;
      return this;
    }

    /** A prefix that separates applications sharing one service ({@code app_hub}); default none. */
    public Builder applicationName(String name) {
      this.applicationName = name == null || name.isBlank() ? null : name.strip();
      return this;
    }

    /** This server's id (the caller id of client results); default host name plus a random part. */
    public Builder serverId(String id) {
      this.serverId = Objects.requireNonNull(id, "serverId");
      return this;
    }

    /** How a hub path becomes the service's hub name; default {@link #defaultHubName(String)}. */
    public Builder hubName(Function<String, String> hubName) {
      this.hubName = Objects.requireNonNull(hubName, "hubName");
      return this;
    }

    public Builder accessTokenLifetime(Duration d) {
      this.accessTokenLifetime = positive(d, "accessTokenLifetime");
      return this;
    }

    public Builder keepAliveInterval(Duration d) {
      this.keepAliveInterval = positive(d, "keepAliveInterval");
      return this;
    }

    public Builder serviceTimeout(Duration d) {
      this.serviceTimeout = positive(d, "serviceTimeout");
      return this;
    }

    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = positive(d, "handshakeTimeout");
      return this;
    }

    /** The first delay before reconnecting a dropped server connection; doubles up to the max. */
    public Builder reconnectDelay(Duration first, Duration max) {
      this.reconnectDelay = positive(first, "reconnectDelay");
      this.maxReconnectDelay = positive(max, "maxReconnectDelay");
      return this;
    }

    /** How long a join or leave waits for the service's acknowledgement; default 10 s. */
    public Builder ackTimeout(Duration d) {
      this.ackTimeout = positive(d, "ackTimeout");
      return this;
    }

    /**
     * How long a graceful stop waits for the service to acknowledge going offline; default 10 s.
     */
    public Builder shutdownTimeout(Duration d) {
      this.shutdownTimeout = Objects.requireNonNull(d, "shutdownTimeout");
      return this;
    }

    /** The largest service message accepted (client messages included); default 16 MiB. */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxMessageSize must be at least 1024");
      }
      this.maxMessageSize = bytes;
      return this;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }

    public AzureSignalROptions build() {
      return new AzureSignalROptions(this);
    }
  }
}
