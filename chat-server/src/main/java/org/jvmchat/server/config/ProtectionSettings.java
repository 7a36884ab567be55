package org.jvmchat.server.config;

import java.time.Duration;
import java.util.Objects;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.http.HttpLimits;
import org.jvmchat.persistence.settings.InvalidSettingException;
import org.jvmchat.persistence.settings.SettingValues;

/**
 * The limits that keep one client from costing everyone else (issue #27): how many rooms a user may
 * create per window, and whether {@code /health} shows its dependencies' details (addresses,
 * directories) to anyone who asks, and the HTTP layer's timeouts and connection limits. Immutable;
 * {@link #builder()} starts at the defaults below.
 */
public final class ProtectionSettings {
  /** Rooms one user may create per {@link #DEFAULT_ROOM_CREATION_WINDOW} on one instance. */
  public static final int DEFAULT_ROOM_CREATION_LIMIT = 20;

  public static final Duration DEFAULT_ROOM_CREATION_WINDOW = Duration.ofMinutes(1);

  /** A connection's {@code SendMessage}s that may be incomplete at once, by default. */
  public static final int DEFAULT_MAX_PARALLEL_INVOCATIONS = 32;

  private final int roomCreationLimit;
  private final Duration roomCreationWindow;
  private final Boolean healthDetails;
  private final HttpLimits httpLimits;
  private final int maxQueuedInvocations;
  private final int maxQueuedInvocationBytes;
  private final int maxParallelInvocations;

  private ProtectionSettings(Builder b) {
    this.roomCreationLimit = b.roomCreationLimit;
    this.roomCreationWindow = b.roomCreationWindow;
    this.healthDetails = b.healthDetails;
    this.httpLimits = b.httpLimits;
    this.maxQueuedInvocations = b.maxQueuedInvocations;
    this.maxQueuedInvocationBytes = b.maxQueuedInvocationBytes;
    this.maxParallelInvocations = b.maxParallelInvocations;
  }

  public static ProtectionSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.roomCreationLimit = roomCreationLimit;
    b.roomCreationWindow = roomCreationWindow;
    b.healthDetails = healthDetails;
    b.httpLimits = httpLimits;
    b.maxQueuedInvocations = maxQueuedInvocations;
    b.maxQueuedInvocationBytes = maxQueuedInvocationBytes;
    b.maxParallelInvocations = maxParallelInvocations;
    return b;
  }

  /**
   * A connection's non-blocking invocations ({@code SendMessage}) that may be incomplete at once
   * ({@link HubOptions#maximumParallelInvocationsPerClient()}); 1 = each waits for the one before.
   */
  public int maxParallelInvocations() {
    return maxParallelInvocations;
  }

  /** Rooms one user may create per {@link #roomCreationWindow()} (0 = no limit). */
  public int roomCreationLimit() {
    return roomCreationLimit;
  }

  public Duration roomCreationWindow() {
    return roomCreationWindow;
  }

  /**
   * Whether {@code /health} shows each entry's detail (the database's address, the data directory,
   * the assistant's model and last failure). Unset: shown in Development, hidden in Production.
   */
  public boolean healthDetails(ChatEnvironment environment) {
    return healthDetails != null ? healthDetails : environment == ChatEnvironment.DEVELOPMENT;
  }

  /** HTTP timeouts and connection limits of the hub core ({@link HttpLimits}, its defaults). */
  public HttpLimits httpLimits() {
    return httpLimits;
  }

  /** Invocations per connection queued before reading pauses ({@code HubOptions}). */
  public int maxQueuedInvocations() {
    return maxQueuedInvocations;
  }

  /** Their bytes. */
  public int maxQueuedInvocationBytes() {
    return maxQueuedInvocationBytes;
  }

  /**
   * Parses {@code COUNT/DURATION} ({@code 20/1m}), or {@code 0} for no limit.
   *
   * @throws InvalidSettingException naming {@code name}
   */
  static void parseRate(Builder b, String name, String value) {
    String v = value.trim();
    if (v.equals("0")) {
      b.roomCreationLimit(0);
      return;
    }
    int slash = v.indexOf('/');
    if (slash <= 0) {
      throw new InvalidSettingException(
          name, value, "COUNT/DURATION like 20/1m, or 0 for no limit");
    }
    b.roomCreationLimit(SettingValues.wholeNumber(name, v.substring(0, slash).trim()));
    b.roomCreationWindow(SettingValues.duration(name, v.substring(slash + 1).trim()));
  }

  @Override
  public String toString() {
    return "{roomCreation="
        + (roomCreationLimit == 0 ? "unlimited" : roomCreationLimit + "/" + roomCreationWindow)
        + ", healthDetails="
        + (healthDetails == null ? "by environment" : healthDetails)
        + ", http="
        + httpLimits
        + ", maxQueuedInvocations="
        + maxQueuedInvocations
        + ", maxQueuedInvocationBytes="
        + maxQueuedInvocationBytes
        + ", maxParallelInvocations="
        + maxParallelInvocations
        + "}";
  }

  /** Builder; every setting starts at its default. */
  public static final class Builder {
    private int roomCreationLimit = DEFAULT_ROOM_CREATION_LIMIT;
    private Duration roomCreationWindow = DEFAULT_ROOM_CREATION_WINDOW;
    private Boolean healthDetails;
    private HttpLimits httpLimits = HttpLimits.defaults();
    private int maxQueuedInvocations = HubOptions.DEFAULT_MAX_QUEUED_INVOCATIONS;
    private int maxQueuedInvocationBytes = HubOptions.DEFAULT_MAX_QUEUED_INVOCATION_BYTES;
    private int maxParallelInvocations = DEFAULT_MAX_PARALLEL_INVOCATIONS;

    private Builder() {}

    /** Default 64 (1..1,000,000). */
    public Builder maxQueuedInvocations(int invocations) {
      this.maxQueuedInvocations = invocations;
      return this;
    }

    /** Default 32 (1..1,000). */
    public Builder maxParallelInvocations(int invocations) {
      this.maxParallelInvocations = invocations;
      return this;
    }

    /** Default 1 MiB (1 KiB..1 GiB). */
    public Builder maxQueuedInvocationBytes(int bytes) {
      this.maxQueuedInvocationBytes = bytes;
      return this;
    }

    /** HTTP timeouts and connection limits; default {@link HttpLimits#defaults()}. */
    public Builder httpLimits(HttpLimits limits) {
      this.httpLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Rooms per user per window, 0..1,000,000 (0 = no limit). Default 20. */
    public Builder roomCreationLimit(int rooms) {
      this.roomCreationLimit = rooms;
      return this;
    }

    /** The sliding window of the room-creation limit. Default one minute. */
    public Builder roomCreationWindow(Duration window) {
      this.roomCreationWindow = Objects.requireNonNull(window, "window");
      return this;
    }

    /** Show {@code /health} details; null = Development only (the default). */
    public Builder healthDetails(Boolean show) {
      this.healthDetails = show;
      return this;
    }

    public ProtectionSettings build() {
      if (roomCreationLimit < 0 || roomCreationLimit > 1_000_000) {
        throw new SettingsException(
            "ROOM_CREATION_RATE_LIMIT's count must be 0..1000000 (was " + roomCreationLimit + ")");
      }
      if (roomCreationWindow.isNegative()
          || roomCreationWindow.isZero()
          || roomCreationWindow.compareTo(Duration.ofDays(1)) > 0) {
        throw new SettingsException(
            "ROOM_CREATION_RATE_LIMIT's window must be more than 0 and at most 24h (was "
                + roomCreationWindow
                + ")");
      }
      if (maxQueuedInvocations < 1 || maxQueuedInvocations > 1_000_000) {
        throw new SettingsException(
            "HUB_MAX_QUEUED_INVOCATIONS must be 1..1000000 (was " + maxQueuedInvocations + ")");
      }
      if (maxQueuedInvocationBytes < 1024 || maxQueuedInvocationBytes > 1 << 30) {
        throw new SettingsException(
            "HUB_MAX_QUEUED_INVOCATION_BYTES must be 1024..1073741824 (was "
                + maxQueuedInvocationBytes
                + ")");
      }
      if (maxParallelInvocations < 1 || maxParallelInvocations > 1_000) {
        throw new SettingsException(
            "HUB_MAX_PARALLEL_INVOCATIONS must be 1..1000 (was " + maxParallelInvocations + ")");
      }
      return new ProtectionSettings(this);
    }
  }
}
