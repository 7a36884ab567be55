package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreOptionsTest {
  @Test
  void defaultsAreTheEmbeddedStoreInDotData() {
    StoreOptions s = StoreOptions.builder().build();
    assertThat(s.embedded()).isTrue();
    assertThat(s.dataDirectory()).isEqualTo(Path.of("data"));
    assertThat(s.embeddedPort()).isZero();
    assertThat(s.poolSize()).isEqualTo(StoreOptions.DEFAULT_POOL_SIZE);
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.socketTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.writeQueueCapacity()).isEqualTo(10_000);
    assertThat(s.writeBatchSize()).isEqualTo(500);
    assertThat(s.writeConnections()).isEqualTo(1);
    assertThat(StoreOptions.fromEnvironment(Map.of()).toString()).isEqualTo(s.toString());
  }

  @Test
  void theEnvironmentSetsEverySetting() {
    StoreOptions s =
        StoreOptions.fromEnvironment(
            Map.of(
                "DATABASE_URL", "postgres://u:p@h:5432/db",
                "CHAT_DATA_DIR", "/var/lib/chat",
                "CHAT_EMBEDDED_DB_PORT", "15432",
                "DB_SCHEMA", "chat",
                "DB_POOL_SIZE", "20",
                "DB_CONNECT_TIMEOUT", "1500",
                "DB_SOCKET_TIMEOUT", "10s",
                "DB_STARTUP_TIMEOUT", "PT1M",
                "DB_WRITE_QUEUE_CAPACITY", "100",
                "DB_WRITE_BATCH_SIZE", "50"));
    assertThat(s.embedded()).isFalse();
    assertThat(s.databaseUrl()).isEqualTo("postgres://u:p@h:5432/db");
    assertThat(s.dataDirectory()).isEqualTo(Path.of("/var/lib/chat"));
    assertThat(s.embeddedPort()).isEqualTo(15432);
    assertThat(s.schema()).isEqualTo("chat");
    assertThat(s.poolSize()).isEqualTo(20);
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.socketTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.startupTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.writeQueueCapacity()).isEqualTo(100);
    assertThat(s.writeBatchSize()).isEqualTo(50);
    assertThat(StoreOptions.fromEnvironment(Map.of("DB_WRITE_CONNECTIONS", "3")).writeConnections())
        .isEqualTo(3);
    assertThat(s.memoryMessagesPerRoom()).isEqualTo(10_000);
    assertThat(
            StoreOptions.fromEnvironment(Map.of("CHAT_MEMORY_MESSAGES_PER_ROOM", "500"))
                .memoryMessagesPerRoom())
        .isEqualTo(500);
    assertThatThrownBy(
            () -> StoreOptions.fromEnvironment(Map.of("CHAT_MEMORY_MESSAGES_PER_ROOM", "0")))
        .hasMessageContaining("memoryMessagesPerRoom must be at least 1 (was 0)");
    assertThat(s.toString()).doesNotContain("u:p");
    assertThat(s.toBuilder().build().toString()).isEqualTo(s.toString());
  }

  @Test
  void durationsTakeEveryDocumentedForm() {
    StoreOptions s =
        StoreOptions.fromEnvironment(
            Map.of(
                "DB_CONNECT_TIMEOUT", "750ms",
                "DB_SOCKET_TIMEOUT", "2m",
                "DB_STARTUP_TIMEOUT", "12h"));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(s.socketTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.startupTimeout()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void chatStoreMemoryOpensTheInMemoryStore() {
    StoreOptions memory = StoreOptions.fromEnvironment(Map.of("CHAT_STORE", "Memory"));
    assertThat(memory.inMemory()).isTrue();
    assertThat(StoreOptions.fromEnvironment(Map.of("CHAT_STORE", "postgres")).inMemory()).isFalse();
    assertThat(StoreOptions.fromEnvironment(Map.of()).inMemory()).isFalse();
    try (ChatStore store = ChatStores.open(memory)) {
      assertThat(store).isInstanceOf(InMemoryChatStore.class);
    }
    assertThatThrownBy(() -> StoreOptions.fromEnvironment(Map.of("CHAT_STORE", "redis")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CHAT_STORE must be postgres or memory (was 'redis')");
    assertThatThrownBy(
            () ->
                StoreOptions.fromEnvironment(
                    Map.of("CHAT_STORE", "memory", "DATABASE_URL", "postgres://u:p@h:5432/d")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exclude each other");
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> StoreOptions.fromEnvironment(Map.of("DB_POOL_SIZE", "many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DB_POOL_SIZE must be a whole number (was 'many')");
    assertThatThrownBy(() -> StoreOptions.fromEnvironment(Map.of("DB_CONNECT_TIMEOUT", "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "DB_CONNECT_TIMEOUT must be a duration like 500ms, 5s, 2m, 12h or PT5S (was 'soon')");
    assertThatThrownBy(() -> StoreOptions.fromEnvironment(Map.of("DATABASE_URL", "mysql://x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DATABASE_URL must start with");
    assertThatThrownBy(() -> StoreOptions.builder().poolSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poolSize must be 1..1000 (was 0)");
    assertThatThrownBy(() -> StoreOptions.builder().connectTimeout(Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout must be at least");
    assertThatThrownBy(() -> StoreOptions.builder().schema("Robert'); drop").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema must be a lowercase SQL identifier");
    assertThatThrownBy(() -> StoreOptions.builder().writeQueueCapacity(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreOptions.builder().writeConnections(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("writeConnections must be 1..16 (was 0)");
  }
}
