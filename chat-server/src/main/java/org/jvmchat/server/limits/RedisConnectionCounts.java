package org.jvmchat.server.limits;

import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Connections per user across instances, through Redis. Each instance keeps its own counts in
 * memory (the truth for its connections) and mirrors them into a hash of its own, {@code
 * <prefix>conns:<instance>} (user → count), whose entry in the sorted set {@code
 * <prefix>conns:instances} carries an expiry time. A heartbeat every third of the TTL rewrites the
 * hash from memory and pushes the expiry on; a user's count is this instance's own plus the sum
 * over the other instances that are still alive. When an instance dies its entry and hash expire
 * after the TTL, so the counts heal by themselves; when Redis does not answer, only this instance's
 * connections count.
 *
 * <p>The scripts read keys they are not passed (one hash per live instance), so the keys must live
 * on one Redis node (no Redis Cluster).
 */
public final class RedisConnectionCounts implements UserConnectionCounts {
  static final String COUNT =
      """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
      local sum = 0
      for _, id in ipairs(ids) do
        if id ~= ARGV[3] then
          local v = redis.call('HGET', ARGV[1] .. id, ARGV[2])
          if v then sum = sum + tonumber(v) end
        end
      end
      return sum
      """;

  /**
   * The count of the other live instances plus ARGV[5] (this instance's, read under the user's
   * lock); below ARGV[4] this instance's entry becomes ARGV[5] + 1 in the same step (so a reserve
   * on another instance right after sees it) and -1 is answered, else the count.
   */
  static final String RESERVE =
      """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
      local sum = tonumber(ARGV[5])
      for _, id in ipairs(ids) do
        if id ~= ARGV[3] then
          local v = redis.call('HGET', ARGV[1] .. id, ARGV[2])
          if v then sum = sum + tonumber(v) end
        end
      end
      if sum >= tonumber(ARGV[4]) then
        return sum
      end
      redis.call('HSET', KEYS[2], ARGV[2], tonumber(ARGV[5]) + 1)
      redis.call('PEXPIRE', KEYS[2], ARGV[6])
      return -1
      """;

  static final String PUBLISH =
      """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local ttl = tonumber(ARGV[2])
      redis.call('DEL', KEYS[2])
      for i = 3, #ARGV, 2 do
        redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
      end
      redis.call('PEXPIRE', KEYS[2], ttl)
      redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
      redis.call('PEXPIRE', KEYS[1], ttl * 10)
      return 1
      """;

  static final String SET_ONE =
      """
      if tonumber(ARGV[2]) > 0 then
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      else
        redis.call('HDEL', KEYS[1], ARGV[1])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
      """;

  static final String LEAVE =
      """
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('DEL', KEYS[2])
      return 1
      """;

  private final LimitsRedis redis;
  private final String instancesKey;
  private final String hashPrefix;
  private final String instance;
  private final String hashKey;
  private final String ttlMillis;
  private final LocalConnectionCounts local = new LocalConnectionCounts();
  private final ScheduledExecutorService heartbeat;
  private final java.util.Set<String> dirty = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicBoolean drainScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  // Reserves and single-user writes (read side) against the heartbeat's rewrite of the whole hash
  // from memory (write side), which would otherwise overwrite a reserve made meanwhile.
  private final java.util.concurrent.locks.ReentrantReadWriteLock rewrite =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  private final Object[] stripes = new Object[64];

  {
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  /**
   * @param prefix of every key, e.g. {@code jvmchat:}
   * @param instanceName a readable name of this instance (a random suffix keeps it unique)
   * @param ttl how long a silent instance's connections still count
   */
  public RedisConnectionCounts(
      LimitsRedis redis, String prefix, String instanceName, Duration ttl) {
    this.redis = redis;
    this.instancesKey = prefix + "conns:instances";
    this.hashPrefix = prefix + "conns:";
    this.instance =
        (instanceName == null ? "instance" : instanceName)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    this.hashKey = hashPrefix + instance;
    this.ttlMillis = Long.toString(ttl.toMillis());
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "connection-counts-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(100, ttl.toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::publish, 0, every, TimeUnit.MILLISECONDS);
  }

  /** This instance's name in Redis. */
  public String instance() {
    return instance;
  }

  @Override
  public int count(String userId) {
    Long others =
        redis.eval(
            COUNT,
            ScriptOutputType.INTEGER,
            new String[] {instancesKey},
            hashPrefix,
            userId,
            instance);
    return local.count(userId) + (others == null ? 0 : others.intValue());
  }

  /**
   * Atomic across instances: this instance's reserves of a user are serialized (a lock per user
   * stripe), and the Redis script checks the sum and writes this instance's new count in one step;
   * the heartbeat's rewrite of the hash waits for reserves in progress. Without Redis only this
   * instance's count is checked.
   */
  @Override
  public int reserve(String userId, int max) {
    rewrite.readLock().lock();
    try {
      synchronized (stripe(userId)) {
        int here = local.count(userId);
        Long answer =
            redis.eval(
                RESERVE,
                ScriptOutputType.INTEGER,
                new String[] {instancesKey, hashKey},
                hashPrefix,
                userId,
                instance,
                Integer.toString(max),
                Integer.toString(here),
                ttlMillis);
        if (answer == null) {
          int refused = local.reserve(userId, max);
          if (refused < 0) {
            mirror(userId);
          }
          return refused;
        }
        if (answer >= 0) {
          return answer.intValue();
        }
        local.connected(userId);
        return -1;
      }
    } finally {
      rewrite.readLock().unlock();
    }
  }

  private Object stripe(String userId) {
    return stripes[(userId.hashCode() & 0x7fffffff) % stripes.length];
  }

  @Override
  public void connected(String userId) {
    local.connected(userId);
    mirror(userId);
  }

  @Override
  public void disconnected(String userId) {
    local.disconnected(userId);
    mirror(userId);
  }

  /**
   * Writes the user's count off the caller's thread (callers are connection callbacks). Users whose
   * count changed wait in a set (at most one entry per user) for one drain task on the heartbeat
   * thread, so a slow or absent Redis queues nothing beyond that set.
   */
  private void mirror(String userId) {
    dirty.add(userId);
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        heartbeat.execute(this::drainDirty);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // closing: the hash is deleted anyway
      }
    }
  }

  private void drainDirty() {
    drainScheduled.set(false);
    for (String userId : dirty) {
      dirty.remove(userId);
      rewrite.readLock().lock();
      try {
        synchronized (stripe(userId)) {
          redis.eval(
              SET_ONE,
              ScriptOutputType.INTEGER,
              new String[] {hashKey},
              userId,
              Integer.toString(local.count(userId)),
              ttlMillis);
        }
      } finally {
        rewrite.readLock().unlock();
      }
    }
  }

  private void publish() {
    rewrite.writeLock().lock();
    try {
      publishLocked();
    } finally {
      rewrite.writeLock().unlock();
    }
  }

  private void publishLocked() {
    Map<String, Integer> counts = local.snapshot();
    List<String> args = new ArrayList<>(2 + counts.size() * 2);
    args.add(instance);
    args.add(ttlMillis);
    counts.forEach(
        (user, n) -> {
          args.add(user);
          args.add(Integer.toString(n));
        });
    redis.eval(
        PUBLISH,
        ScriptOutputType.INTEGER,
        new String[] {instancesKey, hashKey},
        args.toArray(new String[0]));
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      heartbeat.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    redis.eval(LEAVE, ScriptOutputType.INTEGER, new String[] {instancesKey, hashKey}, instance);
  }
}
