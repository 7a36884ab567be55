package org.jvmchat.server.serverless;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.InMemoryChatStore;
import org.jvmchat.server.ChatServer;
import org.jvmchat.server.backplane.RedisScaleout;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.SettingsException;
import org.jvmchat.testing.NodeTests;

/**
 * Serverless mode: two chat-server instances with {@code CHAT_ACCESS_KEY} on one Redis (REDIS_URL,
 * default {@code redis://127.0.0.1:6379}; a channel prefix of this run's own, so nothing else on
 * that Redis is touched). A REST caller signing its tokens as the service's documentation says
 * (HS256 with the access key, {@code aud} the request URL) drives them from a Node process, and the
 * official client receives on both instances ({@code src/test/node/azure/serverless.mjs}). Fails,
 * never skips, when Redis does not answer.
 */
class ServerlessRestApiTest {
  static final String ACCESS_KEY = "serverless-access-key-0123456789-abcdefgh";
  static final String JWT = "a-jwt-secret-that-is-long-enough-for-hs256";
  static final String REDIS_URL =
      System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");

  final InMemoryChatStore store = new InMemoryChatStore();
  final String prefix = "serverless-test-" + UUID.randomUUID() + ":";
  RedisScaleout redisOne;
  RedisScaleout redisTwo;
  ChatServer one;
  ChatServer two;

  @AfterEach
  void stop() {
    for (ChatServer s : new ChatServer[] {one, two}) {
      if (s != null) {
        s.stop(Duration.ofSeconds(2));
      }
    }
    for (RedisScaleout r : new RedisScaleout[] {redisOne, redisTwo}) {
      if (r != null) {
        r.close();
      }
    }
    store.close();
  }

  private ChatServer start(RedisScaleout redis) {
    await().atMost(Duration.ofSeconds(10)).until(() -> redis.check().healthy());
    ChatSettings settings =
        ChatSettings.builder()
            .port(0)
            .host("127.0.0.1")
            .jwtSecret(JWT)
            .chatAccessKey(ACCESS_KEY)
            .shutdownGrace(Duration.ofSeconds(2))
            .build();
    return new ChatServer(settings, store, redis).start();
  }

  @Test
  void restCallsReachTheOfficialClientOnEveryInstance() throws Exception {
    redisOne = new RedisScaleout(REDIS_URL, prefix, true);
    redisTwo = new RedisScaleout(REDIS_URL, prefix, true);
    one = start(redisOne);
    two = start(redisTwo);
    Duration life = Duration.ofHours(1);
    NodeTests.run(
        Path.of("src", "test", "node", "azure", "serverless.mjs").toAbsolutePath(),
        Map.of(
            "URL_ONE", one.url(),
            "URL_TWO", two.url(),
            "ACCESS_KEY", ACCESS_KEY,
            "TOKEN_ALICE", one.tokens().issue("alice", "Alice", life),
            "TOKEN_BOB", two.tokens().issue("bob", "Bob", life),
            "TOKEN_CAROL", two.tokens().issue("carol", "Carol", life),
            "TOKEN_DAVE", one.tokens().issue("dave", "Dave", life)),
        Duration.ofSeconds(180));
  }

  @Test
  void aShortAccessKeyIsRefused() {
    assertThatThrownBy(() -> ChatSettings.builder().chatAccessKey("short").build())
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("CHAT_ACCESS_KEY");
  }
}
