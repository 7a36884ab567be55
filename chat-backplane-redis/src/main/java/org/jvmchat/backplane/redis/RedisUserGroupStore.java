package org.jvmchat.backplane.redis;

import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jvmchat.hub.spi.UserGroupStore;

/**
 * User group memberships in Redis ({@link RedisBackplane#userGroupStore()}), on the backplane's
 * publishing connection. Per scope and user, two sorted sets of group names:
 *
 * <pre>
 * {scope}:usergroups:{user}:ttl      score = expiry (epoch ms): memberships with a time to live
 * {scope}:usergroups:{user}:forever  score = when added (epoch ms): memberships without; valid for
 *                                    LONGEST_MEMBERSHIP after that, the latest 100 kept
 * </pre>
 *
 * Changes run as Lua scripts (one atomic step each, which also drops expired members and sets each
 * key to expire with its last member, so nothing stays behind). Times come from this instance's
 * clock: instances should keep their clocks in step (NTP). While Redis is unreachable every
 * operation fails at once.
 */
final class RedisUserGroupStore implements UserGroupStore {
  private static final String ADD =
      """
      local now = tonumber(ARGV[2])
      local ttl = tonumber(ARGV[3])
      local longest = tonumber(ARGV[4])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - longest)
      if ttl > 0 then
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
      else
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[2], now, ARGV[1])
        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[5]) + 1))
      end
      local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
      if last[2] then redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2])) + 1000) end
      local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
      if newest[2] then
        redis.call('PEXPIREAT', KEYS[2], math.floor(tonumber(newest[2])) + longest + 1000)
      end
      return 1
      """;

  private static final String REMOVE =
      """
      local now = tonumber(ARGV[2])
      local a = redis.call('ZSCORE', KEYS[1], ARGV[1])
      local b = redis.call('ZSCORE', KEYS[2], ARGV[1])
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      if (a and tonumber(a) > now) or (b and tonumber(b) > now - tonumber(ARGV[3])) then
        return 1
      end
      return 0
      """;

  private static final String REMOVE_ALL =
      """
      local now = tonumber(ARGV[1])
      local groups = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
      for _, g in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. (now - tonumber(ARGV[2])), '+inf')) do
        table.insert(groups, g)
      end
      redis.call('DEL', KEYS[1], KEYS[2])
      return groups
      """;

  private final Supplier<StatefulRedisConnection<String, byte[]>> connection;
  private final Clock clock;

  RedisUserGroupStore(Supplier<StatefulRedisConnection<String, byte[]>> connection, Clock clock) {
    this.connection = connection;
    this.clock = clock;
  }

  private static String[] keys(String scope, String userId) {
    String base = scope + ":usergroups:" + userId;
    return new String[] {base + ":ttl", base + ":forever"};
  }

  private static byte[] bytes(Object value) {
    return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
  }

  private StatefulRedisConnection<String, byte[]> redis() {
    StatefulRedisConnection<String, byte[]> c = connection.get();
    if (c == null) {
      throw new IllegalStateException("Not connected to Redis");
    }
    return c;
  }

  @Override
  public CompletableFuture<Void> add(String scope, String userId, String group, Duration ttl) {
    long ttlMillis = ttl == null || ttl.isNegative() ? 0 : ttl.toMillis();
    try {
      return redis()
          .async()
          .<Long>eval(
              ADD,
              ScriptOutputType.INTEGER,
              keys(scope, userId),
              bytes(group),
              bytes(clock.millis()),
              bytes(ttlMillis),
              bytes(LONGEST_MEMBERSHIP.toMillis()),
              bytes(MAX_GROUPS_WITHOUT_TTL))
          .toCompletableFuture()
          .thenApply(n -> null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Boolean> remove(String scope, String userId, String group) {
    try {
      return redis()
          .async()
          .<Long>eval(
              REMOVE,
              ScriptOutputType.INTEGER,
              keys(scope, userId),
              bytes(group),
              bytes(clock.millis()),
              bytes(LONGEST_MEMBERSHIP.toMillis()))
          .toCompletableFuture()
          .thenApply(n -> n != null && n > 0);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Set<String>> removeAll(String scope, String userId) {
    try {
      return redis()
          .async()
          .<List<Object>>eval(
              REMOVE_ALL,
              ScriptOutputType.MULTI,
              keys(scope, userId),
              bytes(clock.millis()),
              bytes(LONGEST_MEMBERSHIP.toMillis()))
          .toCompletableFuture()
          .thenApply(
              list -> {
                Set<String> groups = new LinkedHashSet<>();
                for (Object o : list) {
                  groups.add(new String((byte[]) o, StandardCharsets.UTF_8));
                }
                return Set.copyOf(groups);
              });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Map<String, Instant>> groups(String scope, String userId) {
    String[] keys = keys(scope, userId);
    long now = clock.millis();
    long longest = LONGEST_MEMBERSHIP.toMillis();
    try {
      var commands = redis().async();
      CompletableFuture<List<ScoredValue<byte[]>>> withTtl =
          commands
              .zrangebyscoreWithScores(
                  keys[0], Range.from(Range.Boundary.excluding(now), Range.Boundary.unbounded()))
              .toCompletableFuture();
      CompletableFuture<List<ScoredValue<byte[]>>> without =
          commands
              .zrangebyscoreWithScores(
                  keys[1],
                  Range.from(Range.Boundary.excluding(now - longest), Range.Boundary.unbounded()))
              .toCompletableFuture();
      return withTtl.thenCombine(
          without,
          (a, b) -> {
            Map<String, Instant> groups = new HashMap<>();
            for (ScoredValue<byte[]> v : a) {
              groups.put(
                  new String(v.getValue(), StandardCharsets.UTF_8),
                  Instant.ofEpochMilli((long) v.getScore()));
            }
            for (ScoredValue<byte[]> v : b) {
              groups.put(
                  new String(v.getValue(), StandardCharsets.UTF_8),
                  Instant.ofEpochMilli((long) v.getScore() + longest));
            }
            return Map.copyOf(groups);
          });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
