package org.jvmchat.hub.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the scale-out lifetime manager. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * ScaleoutOptions options = ScaleoutOptions.builder()
 *     .channelPrefix("myapp:")
 *     .groupAckTimeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 */
public final class ScaleoutOptions {
  /** No prefix: channels start with the hub name. */
  public static final String DEFAULT_CHANNEL_PREFIX = "";

  /**
   * How long adding or removing a connection held by another instance waits for that instance's
   * acknowledgement before failing: 30 s, as ASP.NET Core's Redis backplane.
   */
  public static final Duration DEFAULT_GROUP_ACK_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How many multi-group messages ({@code Clients.groups(...)}) a server remembers to deliver each
   * only once to a connection in several of the groups: 4096.
   */
  public static final int DEFAULT_DEDUPLICATION_WINDOW = 4096;

  private static final ScaleoutOptions DEFAULTS = builder().build();

  private final String channelPrefix;
  private final Duration groupAckTimeout;
  private final int deduplicationWindow;
  private final UserGroupStore userGroupStore;

  private ScaleoutOptions(Builder b) {
    this.channelPrefix = b.channelPrefix;
    this.groupAckTimeout = b.groupAckTimeout;
    this.deduplicationWindow = b.deduplicationWindow;
    this.userGroupStore = b.userGroupStore;
  }

  public static ScaleoutOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .channelPrefix(channelPrefix)
        .groupAckTimeout(groupAckTimeout)
        .deduplicationWindow(deduplicationWindow)
        .userGroupStore(userGroupStore);
  }

  /** Prepended to every channel name, so that several applications can share one broker. */
  public String channelPrefix() {
    return channelPrefix;
  }

  public Duration groupAckTimeout() {
    return groupAckTimeout;
  }

  public int deduplicationWindow() {
    return deduplicationWindow;
  }

  /**
   * Where user group memberships are shared between the instances, or {@code null}: user group
   * operations ({@link HubLifetimeManager#addUserToGroup} and its siblings) then fail.
   */
  public UserGroupStore userGroupStore() {
    return userGroupStore;
  }

  @Override
  public String toString() {
    return "ScaleoutOptions[channelPrefix="
        + channelPrefix
        + ", groupAckTimeout="
        + groupAckTimeout
        + ", deduplicationWindow="
        + deduplicationWindow
        + ", userGroupStore="
        + (userGroupStore == null ? "none" : userGroupStore.getClass().getSimpleName())
        + "]";
  }

  /** Builds {@link ScaleoutOptions}; every setting starts at its {@code DEFAULT_*}. */
  public static final class Builder {
    private String channelPrefix = DEFAULT_CHANNEL_PREFIX;
    private Duration groupAckTimeout = DEFAULT_GROUP_ACK_TIMEOUT;
    private int deduplicationWindow = DEFAULT_DEDUPLICATION_WINDOW;
    private UserGroupStore userGroupStore;

    private Builder() {}

    /** Default {@link #DEFAULT_CHANNEL_PREFIX} (none). */
    public Builder channelPrefix(String channelPrefix) {
      this.channelPrefix = channelPrefix;
      return this;
    }

    /** Default {@link #DEFAULT_GROUP_ACK_TIMEOUT} (30 s). */
    public Builder groupAckTimeout(Duration groupAckTimeout) {
      this.groupAckTimeout = groupAckTimeout;
      return this;
    }

    /** Default {@link #DEFAULT_DEDUPLICATION_WINDOW} (4096 messages). */
    public Builder deduplicationWindow(int deduplicationWindow) {
      this.deduplicationWindow = deduplicationWindow;
      return this;
    }

    /**
     * The store every instance shares for user group memberships (e.g. {@code
     * RedisBackplane.userGroupStore()}, or one {@link UserGroupStore#inMemory()} for instances in
     * one JVM). Default none: user group operations fail.
     */
    public Builder userGroupStore(UserGroupStore userGroupStore) {
      this.userGroupStore = userGroupStore;
      return this;
    }

    public ScaleoutOptions build() {
      Objects.requireNonNull(channelPrefix, "channelPrefix");
      Objects.requireNonNull(groupAckTimeout, "groupAckTimeout");
      if (groupAckTimeout.isNegative() || groupAckTimeout.isZero()) {
        throw new IllegalArgumentException("groupAckTimeout must be positive: " + groupAckTimeout);
      }
      if (deduplicationWindow < 1) {
        throw new IllegalArgumentException(
            "deduplicationWindow must be at least 1: " + deduplicationWindow);
      }
      return new ScaleoutOptions(this);
    }
  }
}
