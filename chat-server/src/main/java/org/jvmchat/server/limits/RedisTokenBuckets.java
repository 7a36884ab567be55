package org.jvmchat.server.limits;

import io.lettuce.core.ScriptOutputType;
import java.time.Duration;

/**
 * Token buckets in Redis, shared by every instance: one hash per key ({@code tokens}, {@code ts}),
 * refilled and taken from by one Lua script on Redis's own clock (so instances' clocks do not
 * matter), expiring once it would be full again. The same greedy refill as {@link
 * LocalTokenBuckets}. When Redis does not answer, the take is allowed (the limit fails open, the
 * chat goes on) and a warning is logged at most once a minute.
 */
public final class RedisTokenBuckets implements TokenBuckets {
  static final String SCRIPT =
      """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local cap = tonumber(ARGV[1])
      local period = tonumber(ARGV[2])
      local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
      local tokens = tonumber(s[1])
      local ts = tonumber(s[2])
      if tokens == nil or ts == nil then tokens = cap; ts = now end
      if now > ts then
        tokens = math.min(cap, tokens + (now - ts) * cap / period)
        ts = now
      end
      local wait = 0
      if tokens >= 1 then
        tokens = tokens - 1
      else
        wait = math.ceil((1 - tokens) * period / cap)
      end
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
      redis.call('PEXPIRE', KEYS[1], math.ceil(period / 1000) + 1000)
      return wait
      """;

  private final LimitsRedis redis;
  private final String prefix;
  private final String capacity;
  private final String periodMicros;

  /**
   * @param prefix of every key, e.g. {@code jvmchat:rate:msg:}
   */
  public RedisTokenBuckets(LimitsRedis redis, String prefix, RateLimit limit) {
    this.redis = redis;
    this.prefix = prefix;
    this.capacity = Integer.toString(limit.count());
    this.periodMicros = Long.toString(limit.period().toNanos() / 1000);
  }

  @Override
  public Duration tryTake(String key) {
    Long waitMicros =
        redis.eval(
            SCRIPT, ScriptOutputType.INTEGER, new String[] {prefix + key}, capacity, periodMicros);
    if (waitMicros == null) {
      return Duration.ZERO; // Redis unavailable: fail open
    }
    return Duration.ofNanos(waitMicros * 1000);
  }
}
