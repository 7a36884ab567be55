package org.jvmchat.server.limits;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits' own Redis connection (separate from the backplane's pub/sub): Lua scripts by their
 * SHA-1, loaded again when Redis forgot them. Every call has a short timeout (1 s) and answers null
 * instead of throwing when Redis does not answer, so that callers fail open; for 2 s after a
 * failure calls answer null at once, so requests do not each wait for a dead Redis.
 */
public final class LimitsRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LimitsRedis.class);
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  private final RedisClient client;
  private volatile StatefulRedisConnection<String, String> connection;

  /** After a failure, calls answer null at once until then (no request waits on a dead Redis). */
  private volatile long failFastUntil = System.nanoTime();

  private static final long FAIL_FAST_NANOS = Duration.ofSeconds(2).toNanos();
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  public LimitsRedis(String url) {
    this(url, null);
  }

  /**
   * @param latencyRecorder told each command's latency (the server's Lettuce metrics), or null
   */
  public LimitsRedis(String url, io.lettuce.core.metrics.CommandLatencyRecorder latencyRecorder) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(TIMEOUT);
    this.resources =
        latencyRecorder == null
            ? null
            : io.lettuce.core.resource.DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .commandLatencyRecorder(latencyRecorder)
                .build();
    this.client = resources == null ? RedisClient.create(uri) : RedisClient.create(resources, uri);
  }

  private final io.lettuce.core.resource.ClientResources resources; // ours to shut down, or null

  private synchronized RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = connection;
    if (c == null || !c.isOpen()) {
      c = client.connect();
      c.setTimeout(TIMEOUT);
      connection = c;
    }
    return c.sync();
  }

  /** Runs {@code script}; null when Redis did not answer (logged at most once a minute). */
  @SuppressWarnings("unchecked")
  <T> T eval(String script, ScriptOutputType type, String[] keys, String... args) {
    if (System.nanoTime() - failFastUntil < 0) {
      return null;
    }
    try {
      RedisCommands<String, String> cmd = commands();
      String sha = sha1(script);
      try {
        return (T) cmd.evalsha(sha, type, keys, args);
      } catch (RedisNoScriptException e) {
        return (T) cmd.eval(script, type, keys, args);
      }
    } catch (RedisException | IllegalStateException e) {
      failFastUntil = System.nanoTime() + FAIL_FAST_NANOS;
      warn(e);
      return null;
    }
  }

  private void warn(RuntimeException e) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
      log.warn(
          "Redis did not answer a limits call; limits count this instance only until it does: {}",
          e.toString());
    }
  }

  static String sha1(String script) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    if (resources != null) {
      resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
