package org.jvmchat.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.jvmchat.server.config.ChatSettings;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml and deploy/nginx/nginx.conf, read (compose cannot run here): PostgreSQL 16 and
 * Redis 7 with health checks, two chat-server instances sharing them and JWT_SECRET, each with its
 * own instance URL, nginx in front on 8080 with the WebSocket headers, long timeouts, no buffering
 * and sticky sessions. `nginx -t` on the file is a manual check (docs/DEPLOYING.md).
 */
class ComposeTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The compose file with anchors, aliases and merge keys resolved (SnakeYAML does that). */
  static JsonNode compose() {
    Map<String, Object> tree = new Yaml().load(RepoFiles.read("docker-compose.yml"));
    return JSON.valueToTree(tree);
  }

  static JsonNode service(String name) {
    JsonNode s = compose().path("services").path(name);
    assertThat(s.isMissingNode()).as("service " + name).isFalse();
    return s;
  }

  /** ${NAME:-default} → default. */
  static String defaultOf(String value) {
    Matcher m = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}").matcher(value);
    return m.matches() ? m.group(1) : value;
  }

  @Test
  void postgresAndRedisAreTheRequiredVersionsWithHealthChecks() {
    assertThat(service("postgres").path("image").asText()).startsWith("postgres:16");
    assertThat(service("redis").path("image").asText()).startsWith("redis:7");
    for (String s : List.of("postgres", "redis")) {
      assertThat(service(s).path("healthcheck").path("test").isArray()).as(s).isTrue();
    }
  }

  @Test
  void twoChatServersShareTheDatabaseRedisAndTheJwtSecret() {
    JsonNode one = service("chat1");
    JsonNode two = service("chat2");
    for (JsonNode chat : List.of(one, two)) {
      assertThat(chat.path("build").asText()).isEqualTo(".");
      JsonNode env = chat.path("environment");
      assertThat(env.path("DATABASE_URL").asText())
          .startsWith("postgres://")
          .contains("@postgres:5432/");
      assertThat(env.path("REDIS_URL").asText()).isEqualTo("redis://redis:6379");
      String secret = env.path("JWT_SECRET").asText();
      // Issue #27: no published default key; compose stops with this one line when it is unset.
      assertThat(secret)
          .as("JWT_SECRET is required, with a one-line reason")
          .matches("\\$\\{JWT_SECRET:\\?[^}$\n]+}")
          .contains(String.valueOf(ChatSettings.MIN_JWT_SECRET_BYTES));
      assertThat(env.path("JAVA_TOOL_OPTIONS").asText()).contains("-XX:MaxRAMPercentage=75");
      for (String dependency : List.of("postgres", "redis")) {
        assertThat(chat.path("depends_on").path(dependency).path("condition").asText())
            .isEqualTo("service_healthy");
      }
    }
    assertThat(one.path("environment").path("DATABASE_URL"))
        .isEqualTo(two.path("environment").path("DATABASE_URL"));
    assertThat(one.path("environment").path("JWT_SECRET"))
        .isEqualTo(two.path("environment").path("JWT_SECRET"));
    assertThat(one.path("environment").path("CHAT_INSTANCE_URL").asText())
        .isEqualTo("http://chat1:8080");
    assertThat(two.path("environment").path("CHAT_INSTANCE_URL").asText())
        .isEqualTo("http://chat2:8080");
    assertThat(two.path("depends_on").path("chat1").path("condition").asText())
        .as("the second instance starts after the first migrated the database")
        .isEqualTo("service_healthy");
  }

  @Test
  void nginxPublishes8080AndWaitsForBothInstances() {
    JsonNode nginx = service("nginx");
    assertThat(nginx.path("image").asText()).startsWith("nginx:");
    assertThat(nginx.path("ports").get(0).asText()).isEqualTo("8080:80");
    assertThat(nginx.path("volumes").get(0).asText())
        .isEqualTo("./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro");
    assertThat(nginx.path("depends_on").path("chat1").path("condition").asText())
        .isEqualTo("service_healthy");
    assertThat(nginx.path("depends_on").path("chat2").path("condition").asText())
        .isEqualTo("service_healthy");
  }

  @Test
  void nginxPassesWebSocketsStreamsWithoutBufferingAndIsSticky() {
    String conf = RepoFiles.read("deploy/nginx/nginx.conf");
    assertThat(conf)
        .containsPattern("map \\$http_upgrade \\$connection_upgrade")
        .contains("proxy_http_version 1.1;")
        .contains("proxy_set_header Upgrade $http_upgrade;")
        .contains("proxy_set_header Connection $connection_upgrade;")
        .contains("proxy_buffering off;")
        .contains("ip_hash;")
        .contains("server chat1:8080")
        .contains("server chat2:8080")
        .contains("listen 80;")
        .contains("proxy_pass http://chat;");
    // Longer than the keep-alive (15 s), the client timeout (30 s) and the long-poll hold (90 s).
    for (String timeout : List.of("proxy_read_timeout", "proxy_send_timeout")) {
      Matcher m = Pattern.compile(timeout + " (\\d+)s;").matcher(conf);
      assertThat(m.find()).as(timeout).isTrue();
      assertThat(Integer.parseInt(m.group(1))).as(timeout).isGreaterThan(90);
    }
    long open = conf.chars().filter(c -> c == '{').count();
    long close = conf.chars().filter(c -> c == '}').count();
    assertThat(open).as("balanced braces").isEqualTo(close);
  }
}
