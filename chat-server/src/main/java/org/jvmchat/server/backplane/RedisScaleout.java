package org.jvmchat.server.backplane;

import org.jvmchat.backplane.redis.RedisBackplane;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.hub.spi.ScaleoutLifetimeManagers;
import org.jvmchat.hub.spi.ScaleoutOptions;

/**
 * Many chat-server instances as one, over Redis pub/sub: the hub core's scale-out lifetime manager
 * on a {@link RedisBackplane}. Redis being down never stops the server: local delivery goes on,
 * {@code /health/ready} answers 503 until Redis is back, and what was published meanwhile is lost
 * (pub/sub is at-most-once) and counted.
 */
public final class RedisScaleout implements ScaleoutMode {
  /**
   * Every channel starts with this (the scale-out manager's channel prefix, the only one), so other
   * applications can share the Redis.
   */
  public static final String CHANNEL_PREFIX = "jvmchat:";

  private final RedisBackplane redis;
  private final TimedBackplane timed;
  private final HubLifetimeManagerFactory factory;
  private final org.jvmchat.server.ops.RedisCommandMetrics commandMetrics =
      new org.jvmchat.server.ops.RedisCommandMetrics();

  @Override
  public void observeRedisCommands(io.micrometer.core.instrument.MeterRegistry registry) {
    commandMetrics.bindTo(registry);
  }

  /** Scale-out over {@code redisUrl}, channels prefixed {@link #CHANNEL_PREFIX}, no user groups. */
  public RedisScaleout(String redisUrl) {
    this(redisUrl, CHANNEL_PREFIX, false);
  }

  /**
   * @param channelPrefix the channel (and key) prefix: deployments (or tests) sharing one Redis
   *     without seeing each other's messages, user groups or closes use different ones
   * @param userGroups whether user group memberships are kept in this Redis (the serverless REST
   *     API's user groups, {@code CHAT_ACCESS_KEY}): each connection of a user then reads its
   *     groups from Redis when it opens (one round trip, not blocking); without, user group
   *     operations fail
   */
  public RedisScaleout(String redisUrl, String channelPrefix, boolean userGroups) {
    this.redis =
        RedisBackplane.create(
            org.jvmchat.backplane.redis.RedisBackplaneOptions.builder(redisUrl).build(),
            commandMetrics);
    this.timed = new TimedBackplane(redis);
    this.factory =
        ScaleoutLifetimeManagers.factory(
            timed,
            ScaleoutOptions.builder()
                .channelPrefix(channelPrefix)
                .userGroupStore(userGroups ? redis.userGroupStore() : null)
                .build());
  }

  @Override
  public void observePublishes(PublishObserver observer) {
    timed.listener(observer::published);
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public HubLifetimeManagerFactory lifetimeManagerFactory() {
    return factory;
  }

  @Override
  public Health check() {
    Backplane.Status s = redis.status();
    String detail =
        s.target()
            + (s.connected() ? " connected" : " unreachable")
            + (s.publishFailures() > 0
                ? ", " + s.publishFailures() + " publishes lost while unreachable"
                : "")
            + (s.connected() || s.lastError() == null ? "" : " (" + s.lastError() + ")");
    return new Health(s.connected(), detail);
  }

  @Override
  public void close() {
    redis.close();
  }
}
