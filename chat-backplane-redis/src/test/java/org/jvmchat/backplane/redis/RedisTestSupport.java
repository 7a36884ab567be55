package org.jvmchat.backplane.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jvmchat.testing.TcpProxy;

/**
 * The real Redis the tests use: {@code REDIS_URL}, default {@code redis://127.0.0.1:6379}. Tests
 * FAIL (never skip) when it does not answer.
 */
final class RedisTestSupport {
  static final String REDIS_URL =
      System.getenv("REDIS_URL") == null || System.getenv("REDIS_URL").isBlank()
          ? "redis://127.0.0.1:6379"
          : System.getenv("REDIS_URL");
  static final URI URI_ = URI.create(REDIS_URL);
  static final String HOST = URI_.getHost();
  static final int PORT = URI_.getPort() < 0 ? 6379 : URI_.getPort();

  private RedisTestSupport() {}

  /** Throws (failing the test) unless Redis answers PING within 2 s. */
  static void requireRedis() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, PORT), 2000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = new byte[64];
      int n = in.read(reply);
      String text = n > 0 ? new String(reply, 0, n, StandardCharsets.US_ASCII) : "";
      if (!text.startsWith("+PONG") && !text.startsWith("-NOAUTH")) {
        throw new AssertionError("Redis at " + HOST + ":" + PORT + " answered PING with " + text);
      }
    } catch (IOException e) {
      throw new AssertionError(
          "These tests need a real Redis at "
              + HOST
              + ":"
              + PORT
              + " (set REDIS_URL); it does not answer: "
              + e,
          e);
    }
  }

  /** The URL of {@code REDIS_URL} with host and port replaced by a local proxy's. */
  static String viaProxy(TcpProxy proxy) {
    String path = URI_.getPath() == null ? "" : URI_.getPath();
    String userInfo = URI_.getUserInfo() == null ? "" : URI_.getUserInfo() + "@";
    return URI_.getScheme() + "://" + userInfo + "127.0.0.1:" + proxy.port() + path;
  }

  /** Deletes {@code keys} from the real Redis (what a test made there). */
  static void deleteKeys(String... keys) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(REDIS_URL);
    try (var connection = client.connect()) {
      connection.sync().del(keys);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Options for tests: fast reconnects. */
  static RedisBackplaneOptions.Builder fastOptions(String url) {
    return RedisBackplaneOptions.builder(url)
        .connectTimeout(Duration.ofSeconds(1))
        .commandTimeout(Duration.ofSeconds(2))
        .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(300));
  }
}
