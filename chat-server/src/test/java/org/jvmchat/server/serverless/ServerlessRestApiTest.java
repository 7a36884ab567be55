package org.jvmchat.server.serverless;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.hub.spi.ScaleoutLifetimeManagers;
import org.jvmchat.persistence.InMemoryChatStore;
import org.jvmchat.server.ChatServer;
import org.jvmchat.server.backplane.ScaleoutMode;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.SettingsException;
import org.jvmchat.testing.LocalBackplane;

/**
 * Serverless mode: two chat-server instances with {@code CHAT_ACCESS_KEY} on one backplane; a REST
 * caller signing its tokens as the service's documentation says (HS256 with the access key, {@code
 * aud} the request URL) drives them, and the official client receives on both instances.
 */
class ServerlessRestApiTest {
  static final String ACCESS_KEY = "serverless-access-key-0123456789-abcdefgh";
  static final String JWT = "a-jwt-secret-that-is-long-enough-for-hs256";

  final InMemoryChatStore store = new InMemoryChatStore();
  final LocalBackplane.Broker broker = new LocalBackplane.Broker();
  ChatServer one;
  ChatServer two;

  @AfterEach
  void stop() {
    for (ChatServer s : new ChatServer[] {one, two}) {
      if (s != null) {
        s.stop(Duration.ofSeconds(2));
      }
    }
    store.close();
  }

  private ChatServer start() {
    ChatSettings settings =
        ChatSettings.builder()
            .port(0)
            .host("127.0.0.1")
            .jwtSecret(JWT)
            .chatAccessKey(ACCESS_KEY)
            .shutdownGrace(Duration.ofSeconds(2))
            .build();
    HubLifetimeManagerFactory factory =
        ScaleoutLifetimeManagers.factory(broker.connect(), "serverless-test:");
    ScaleoutMode mode =
        new ScaleoutMode() {
          @Override
          public String name() {
            return "local";
          }

          @Override
          public HubLifetimeManagerFactory lifetimeManagerFactory() {
            return factory;
          }

          @Override
          public Health check() {
            return new Health(true, "in-memory test backplane");
          }
        };
    return new ChatServer(settings, store, mode).start();
  }

  @Test
  void restCallsReachTheOfficialClientOnEveryInstance() throws Exception {
    one = start();
    two = start();
    runNode(
        Map.of(
            "URL_ONE", one.url(),
            "URL_TWO", two.url(),
            "ACCESS_KEY", ACCESS_KEY,
            "TOKEN_ALICE", one.tokens().issue("alice", "Alice", Duration.ofHours(1)),
            "TOKEN_BOB", two.tokens().issue("bob", "Bob", Duration.ofHours(1))));
  }

  @Test
  void aShortAccessKeyIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ChatSettings.builder().chatAccessKey("short").build())
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("CHAT_ACCESS_KEY");
  }

  private static void runNode(Map<String, String> env) throws Exception {
    Path file = Path.of("src", "test", "node", "azure", "serverless.mjs").toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder("node", "--test", "--test-reporter=spec", file.toString())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    File out = File.createTempFile("node-test", ".log");
    out.deleteOnExit();
    pb.redirectOutput(out);
    Process p = pb.start();
    try {
      boolean done = p.waitFor(120, TimeUnit.SECONDS);
      String output = Files.readString(out.toPath(), StandardCharsets.UTF_8);
      System.out.println(output);
      assertThat(done).as("node finished in time:\n" + output).isTrue();
      assertThat(p.exitValue()).as("node test result:\n" + output).isZero();
      assertThat(output).contains("fail 0").doesNotContain("✖");
    } finally {
      p.destroyForcibly();
    }
  }
}
