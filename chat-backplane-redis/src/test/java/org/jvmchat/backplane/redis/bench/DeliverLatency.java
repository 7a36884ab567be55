package org.jvmchat.backplane.redis.bench;

import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jvmchat.backplane.redis.RedisBackplane;
import org.jvmchat.backplane.redis.RedisBackplaneOptions;

/**
 * One message at a time from backplane A to a subscriber on backplane B through the real Redis
 * ({@code REDIS_URL}, default {@code redis://127.0.0.1:6379}), the next sent once the last arrived:
 * the latency of one hop, in pub/sub and in the stream mode (a fresh stream key, deleted after).
 * The receiver waits on a queue (no spinning, which on a small machine takes a core from Redis and
 * the I/O threads). Not a test: {@code java -cp <test class path> ...bench.DeliverLatency stream
 * 2000}.
 */
public final class DeliverLatency {
  private DeliverLatency() {}

  public static void main(String[] args) throws Exception {
    boolean stream = args.length > 0 && args[0].equals("stream");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    String url =
        System.getenv("REDIS_URL") == null ? "redis://127.0.0.1:6379" : System.getenv("REDIS_URL");
    String key = "bench-latency-" + UUID.randomUUID();
    RedisBackplaneOptions.Builder options = RedisBackplaneOptions.builder(url);
    if (stream) {
      options.stream(key);
    }
    RedisBackplane a = RedisBackplane.create(options.build());
    RedisBackplane b = RedisBackplane.create(options.build());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!a.isConnected() || !b.isConnected()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Redis at " + url + " does not answer");
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
      String channel = "bench-latency-" + UUID.randomUUID();
      b.subscribe(channel, got::add).get(5, TimeUnit.SECONDS);
      int warmup = 200;
      long[] nanos = new long[n];
      for (int i = 0; i < n + warmup; i++) {
        long t = System.nanoTime();
        a.deliver(channel, new byte[] {1, 2, 3});
        if (got.poll(5, TimeUnit.SECONDS) == null) {
          throw new IllegalStateException("message " + i + " did not arrive in 5 s");
        }
        if (i >= warmup) {
          nanos[i - warmup] = System.nanoTime() - t;
        }
      }
      Arrays.sort(nanos);
      System.out.printf(
          "%s: %d messages, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms%n",
          stream ? "stream" : "pub/sub",
          n,
          nanos[n / 2] / 1e6,
          nanos[n * 9 / 10] / 1e6,
          nanos[n * 99 / 100] / 1e6);
    } finally {
      a.close();
      b.close();
      if (stream) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url);
        try (var connection = client.connect()) {
          connection.sync().del(key);
        } finally {
          client.shutdown();
        }
      }
    }
  }
}
