package org.jvmchat.server.presence;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Presence shared through Redis. Each instance (a random id per process) holds a lease per user it
 * has connections of, renewed every few seconds; a user is online while any lease is live. Keys,
 * all under {@code jvmchat:presence:}:
 *
 * <ul>
 *   <li>{@code u:<userId>}: sorted set of instance ids scored by their lease's expiry (ms);
 *   <li>{@code all}: sorted set of online user ids scored by their newest lease's expiry;
 *   <li>{@code names}: hash of user id to display name.
 * </ul>
 *
 * Going online and offline are Lua scripts, so that among instances exactly one sees a user come
 * online (its {@code ZADD} to {@code all} added it) or go offline (its {@code ZREM} from {@code
 * all} removed it). A dead instance's leases expire; every instance sweeps {@code all} for users
 * without a live lease, and the one whose script removes a user sends its {@code UserOffline}.
 */
public final class RedisPresence implements SharedPresence {
  /** The prefix of every key. */
  public static final String PREFIX = "jvmchat:presence:";

  private static final String ALL = PREFIX + "all";
  private static final String NAMES = PREFIX + "names";

  // KEYS: u:<user>, all, names; ARGV: instance, expiry, user, name. 1 when the user came online.
  // The user's key lives as long as its longest lease (never shortened by another instance).
  private static final String HELD =
      "local was = redis.call('zscore', KEYS[2], ARGV[3])"
          + " redis.call('zadd', KEYS[1], ARGV[2], ARGV[1])"
          + " if redis.call('pttl', KEYS[1]) < 0 then redis.call('pexpireat', KEYS[1], ARGV[2])"
          + " else redis.call('pexpireat', KEYS[1], ARGV[2], 'GT') end"
          + " redis.call('hset', KEYS[3], ARGV[3], ARGV[4])"
          + " redis.call('zadd', KEYS[2], 'GT', ARGV[2], ARGV[3])"
          + " if was then return 0 end"
          + " return 1";

  // KEYS: u:<user>, all, names; ARGV: instance ('' = none), now, user. The user's name when this
  // call took the user offline, else nil.
  private static final String RELEASED =
      "if ARGV[1] ~= '' then redis.call('zrem', KEYS[1], ARGV[1]) end"
          + " if redis.call('zcount', KEYS[1], '(' .. ARGV[2], '+inf') > 0 then return false end"
          + " redis.call('del', KEYS[1])"
          + " if redis.call('zrem', KEYS[2], ARGV[3]) == 1 then"
          + "   local n = redis.call('hget', KEYS[3], ARGV[3])"
          + "   redis.call('hdel', KEYS[3], ARGV[3])"
          + "   return n or ARGV[3] end"
          + " return false";

  private final RedisClient client;
  private final String instance = UUID.randomUUID().toString();
  private final Duration lease;
  private StatefulRedisConnection<String, String> connection;

  /**
   * @param lease how long a claim lives without renewal: the most an instance that died keeps its
   *     users online (plus one sweep)
   */
  public RedisPresence(String redisUrl, Duration lease) {
    this(redisUrl, lease, null);
  }

  /**
   * @param latencyRecorder told each command's latency (the server's Lettuce metrics), or null
   */
  public RedisPresence(
      String redisUrl,
      Duration lease,
      io.lettuce.core.metrics.CommandLatencyRecorder latencyRecorder) {
    RedisURI uri = RedisURI.create(redisUrl);
    uri.setTimeout(Duration.ofSeconds(2));
    this.resources =
        latencyRecorder == null
            ? null
            : io.lettuce.core.resource.DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .commandLatencyRecorder(latencyRecorder)
                .build();
    this.client = resources == null ? RedisClient.create(uri) : RedisClient.create(resources, uri);
    this.lease = lease;
  }

  private final io.lettuce.core.resource.ClientResources resources; // ours to shut down, or null

  private RedisCommands<String, String> redis() {
    if (connection == null || !connection.isOpen()) {
      connection = client.connect();
    }
    return connection.sync();
  }

  private String expiry() {
    return Long.toString(System.currentTimeMillis() + lease.toMillis());
  }

  @Override
  public boolean held(String userId, String userName) {
    Long r =
        redis()
            .eval(
                HELD,
                ScriptOutputType.INTEGER,
                new String[] {PREFIX + "u:" + userId, ALL, NAMES},
                instance,
                expiry(),
                userId,
                userName);
    return r != null && r == 1L;
  }

  @Override
  public boolean released(String userId) {
    return release(userId, instance) != null;
  }

  /** The user's name when this call took the user offline, else null. */
  private String release(String userId, String instanceId) {
    return redis()
        .eval(
            RELEASED,
            ScriptOutputType.VALUE,
            new String[] {PREFIX + "u:" + userId, ALL, NAMES},
            instanceId,
            Long.toString(System.currentTimeMillis()),
            userId);
  }

  @Override
  public void refresh(Map<String, String> held) {
    if (held.isEmpty()) {
      return;
    }
    RedisCommands<String, String> redis = redis();
    String expiry = expiry();
    for (Map.Entry<String, String> e : held.entrySet()) {
      redis.eval(
          HELD,
          ScriptOutputType.INTEGER,
          new String[] {PREFIX + "u:" + e.getKey(), ALL, NAMES},
          instance,
          expiry,
          e.getKey(),
          e.getValue());
    }
  }

  @Override
  public List<Map.Entry<String, String>> expired() {
    RedisCommands<String, String> redis = redis();
    List<String> candidates =
        redis.zrangebyscore(
            ALL, io.lettuce.core.Range.create(0d, (double) System.currentTimeMillis()));
    List<Map.Entry<String, String>> gone = new ArrayList<>();
    for (String user : candidates) {
      String name = release(user, "");
      if (name != null) {
        gone.add(Map.entry(user, name));
      }
    }
    return gone;
  }

  @Override
  public Map<String, String> online() {
    RedisCommands<String, String> redis = redis();
    List<ScoredValue<String>> live =
        redis.zrangebyscoreWithScores(
            ALL,
            io.lettuce.core.Range.create(
                (double) System.currentTimeMillis(), Double.POSITIVE_INFINITY));
    Map<String, String> result = new LinkedHashMap<>();
    if (live.isEmpty()) {
      return result;
    }
    String[] ids = live.stream().map(ScoredValue::getValue).toArray(String[]::new);
    List<io.lettuce.core.KeyValue<String, String>> names = redis.hmget(NAMES, ids);
    for (int i = 0; i < ids.length; i++) {
      io.lettuce.core.KeyValue<String, String> kv = names.get(i);
      result.put(ids[i], kv.hasValue() ? kv.getValue() : ids[i]);
    }
    return result;
  }

  @Override
  public String name() {
    return "redis (lease " + lease.toSeconds() + " s)";
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    if (resources != null) {
      resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
