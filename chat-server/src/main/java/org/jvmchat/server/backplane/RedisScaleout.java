package org.jvmchat.server.backplane;

import org.jvmchat.backplane.redis.RedisBackplane;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.hub.spi.ScaleoutLifetimeManagers;
import org.jvmchat.hub.spi.ScaleoutOptions;

/**
 * Many chat-server instances as one, over Redis: the hub core's scale-out lifetime manager on a
 * {@link RedisBackplane}. Redis being down never stops the server: local delivery goes on and
 * {@code /health/ready} answers 503 until Redis is back. By default hub messages go through a Redis
 * stream ({@code REDIS_BACKPLANE_REPLAY} messages kept, {@link #DEFAULT_REPLAY}): what is sent
 * during an outage reaches the other instances once it ends, in order, once; what falls outside the
 * bound is counted, logged and shown in {@code /health}. With {@code REDIS_BACKPLANE_REPLAY=0} it
 * is pub/sub, at-most-once (what was published meanwhile is lost and counted).
 */
public final class RedisScaleout implements ScaleoutMode {
  /**
   * Every channel starts with this (the scale-out manager's channel prefix, the only one), so other
   * applications can share the Redis.
   */
  public static final String CHANNEL_PREFIX = "jvmchat:";

  /** Messages kept across a Redis outage (stream length and publish buffer): 10,000. */
  public static final int DEFAULT_REPLAY = 10_000;

  /** The environment variable that sets the bound; {@code 0} means pub/sub. */
  public static final String REPLAY_VARIABLE = "REDIS_BACKPLANE_REPLAY";

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
    this(redisUrl, channelPrefix, userGroups, DEFAULT_REPLAY);
  }

  /**
   * @param replay how many messages are kept across an outage: the length of the stream {@code
   *     <channelPrefix>backplane} and of each instance's publish buffer; {@code 0} for pub/sub
   *     (at-most-once)
   */
  public RedisScaleout(String redisUrl, String channelPrefix, boolean userGroups, int replay) {
    org.jvmchat.backplane.redis.RedisBackplaneOptions.Builder options =
        org.jvmchat.backplane.redis.RedisBackplaneOptions.builder(redisUrl);
    if (replay > 0) {
      options.stream(channelPrefix + "backplane").streamMaxLength(replay).publishBuffer(replay);
    }
    this.redis = RedisBackplane.create(options.build(), commandMetrics);
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
            + (redis.streamMode()
                ? ", stream mode: keeps "
                    + redis.options().streamMaxLength()
                    + " messages across an outage"
                    + (redis.bufferedMessages() > 0
                        ? ", " + redis.bufferedMessages() + " waiting for Redis"
                        : "")
                    + (redis.lostMessages() > 0
                        ? ", "
                            + redis.lostMessages()
                            + " messages lost beyond that bound (not delivered to other"
                            + " instances)"
                        : ", none lost")
                : ", pub/sub (at-most-once)")
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
