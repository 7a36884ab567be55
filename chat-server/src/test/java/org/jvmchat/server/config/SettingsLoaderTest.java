package org.jvmchat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.server.backplane.ScaleoutModes;

class SettingsLoaderTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  @Test
  void defaultsAreDevelopmentOnPort8080WithAnEmbeddedStoreAndAGeneratedKey() {
    ChatSettings s = SettingsLoader.load(Map.of());
    assertThat(s.port()).isEqualTo(8080);
    assertThat(s.environment()).isEqualTo(ChatEnvironment.DEVELOPMENT);
    assertThat(s.store().embedded()).isTrue();
    assertThat(s.redisUrl()).isNull();
    assertThat(s.jwtSecretGenerated()).isTrue();
    assertThat(s.jwtSecret()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(s.openAiApiKey()).isNull();
    assertThat(s.openAiBaseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(s.openAiModel()).isEqualTo("gpt-4o-mini");
    assertThat(s.allowStatefulReconnects()).isTrue();
    assertThat(s.accessCacheRooms()).isEqualTo(100_000);
    assertThat(SettingsLoader.load(Map.of()).jwtSecret()).isNotEqualTo(s.jwtSecret());
  }

  @Test
  void theAccessCacheSizeComesFromTheEnvironmentOrTheFileAndIsChecked() throws Exception {
    assertThat(SettingsLoader.load(Map.of("CHAT_ACCESS_CACHE_ROOMS", "500")).accessCacheRooms())
        .isEqualTo(500);
    assertThat(SettingsLoader.load(Map.of("CHAT_ACCESS_CACHE_ROOMS", "0")).accessCacheRooms())
        .isZero();
    Path file = dir.resolve("cache.json");
    Files.writeString(file, "{\"accessCacheRooms\": 42}");
    assertThat(SettingsLoader.load(Map.of("CHAT_CONFIG", file.toString())).accessCacheRooms())
        .isEqualTo(42);
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_ACCESS_CACHE_ROOMS", "-1")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("CHAT_ACCESS_CACHE_ROOMS must be 0..10000000 (was -1)");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_ACCESS_CACHE_ROOMS", "lots")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("CHAT_ACCESS_CACHE_ROOMS must be a whole number (was 'lots')");
  }

  @Test
  void environmentWinsOverTheFileWhichWinsOverDefaults() throws Exception {
    Path file = dir.resolve("appsettings.json");
    Files.writeString(
        file,
        """
        {"port": 9000, "environment": "Production", "databaseUrl": "postgres://u:p@db:5432/chat",
         "jwt": {"secret": "%s", "issuer": "file-issuer", "devTokenLifetime": "2h"},
         "openai": {"model": "llama3"}, "shutdownGrace": "3s",
         "corsOrigins": ["https://chat.example.com"], "hub": {"maxMessageSize": 65536}}
        """
            .formatted(SECRET));
    ChatSettings s =
        SettingsLoader.load(
            Map.of("CHAT_CONFIG", file.toString(), "PORT", "9100", "JWT_ISSUER", "env-issuer"));
    assertThat(s.port()).isEqualTo(9100);
    assertThat(s.environment()).isEqualTo(ChatEnvironment.PRODUCTION);
    assertThat(s.store().databaseUrl()).isEqualTo("postgres://u:p@db:5432/chat");
    assertThat(s.jwtIssuer()).isEqualTo("env-issuer");
    assertThat(s.jwtSecretGenerated()).isFalse();
    assertThat(s.devTokenLifetime()).isEqualTo(Duration.ofHours(2));
    assertThat(s.openAiModel()).isEqualTo("llama3");
    assertThat(s.shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.corsOrigins()).isEqualTo(Set.of("https://chat.example.com"));
    assertThat(s.maxMessageSize()).isEqualTo(65536);
    assertThat(s.toString()).doesNotContain(SECRET).doesNotContain("u:p@");
  }

  @Test
  void productionRefusesToStartWithoutJwtSecret() {
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_ENVIRONMENT", "Production")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("JWT_SECRET is required in Production (an HS256 key of at least 32 bytes)");
    assertThat(
            SettingsLoader.load(Map.of("CHAT_ENVIRONMENT", "production", "JWT_SECRET", SECRET))
                .environment())
        .isEqualTo(ChatEnvironment.PRODUCTION);
  }

  @Test
  void aspNetCoreEnvironmentIsAnAliasAndADisagreementStopsTheStart() {
    assertThat(
            SettingsLoader.load(
                    Map.of("ASPNETCORE_ENVIRONMENT", "Production", "JWT_SECRET", SECRET))
                .environment())
        .isEqualTo(ChatEnvironment.PRODUCTION);
    assertThat(
            SettingsLoader.load(
                    Map.of(
                        "ASPNETCORE_ENVIRONMENT",
                        "production",
                        "CHAT_ENVIRONMENT",
                        "Production",
                        "JWT_SECRET",
                        SECRET))
                .environment())
        .as("the same value, written differently, is no disagreement")
        .isEqualTo(ChatEnvironment.PRODUCTION);
    assertThat(SettingsLoader.load(Map.of("ASPNETCORE_ENVIRONMENT", "Development")).environment())
        .isEqualTo(ChatEnvironment.DEVELOPMENT);
    assertThatThrownBy(
            () ->
                SettingsLoader.load(
                    Map.of(
                        "CHAT_ENVIRONMENT",
                        "Development",
                        "ASPNETCORE_ENVIRONMENT",
                        "Production",
                        "JWT_SECRET",
                        SECRET)))
        .isInstanceOf(SettingsException.class)
        .hasMessage(
            "CHAT_ENVIRONMENT (Development) and ASPNETCORE_ENVIRONMENT (Production) disagree:"
                + " set one of them, or both to the same value");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("ASPNETCORE_ENVIRONMENT", "Staging")))
        .hasMessage("ASPNETCORE_ENVIRONMENT must be Development or Production (was 'Staging')");
  }

  @Test
  void invalidValuesGiveOneReadableLine() throws Exception {
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("JWT_SECRET", "short")))
        .hasMessage("JWT_SECRET must be at least 32 bytes long for HS256 (was 5)");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("PORT", "eighty")))
        .hasMessage("PORT must be a whole number (was 'eighty')");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("PORT", "70000")))
        .hasMessageContaining("PORT must be 0..65535");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_ENVIRONMENT", "Staging")))
        .hasMessageContaining("CHAT_ENVIRONMENT must be Development or Production");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("DATABASE_URL", "mysql://x")))
        .hasMessageContaining("DATABASE_URL must start with");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("OPENAI_BASE_URL", "ftp://x")))
        .hasMessageContaining("OPENAI_BASE_URL");
    assertThatThrownBy(
            () -> SettingsLoader.load(Map.of("CHAT_CONFIG", dir.resolve("none.json").toString())))
        .hasMessageContaining("does not exist");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"prot\": 1}");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_CONFIG", bad.toString())))
        .hasMessageContaining("unknown setting 'prot'");
    Files.writeString(bad, "{\"port\": \"80\"}");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_CONFIG", bad.toString())))
        .hasMessageContaining("port must be a whole number");
    Files.writeString(bad, "{\"port\": ");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_CONFIG", bad.toString())))
        .hasMessageContaining("is not valid JSON");
    Files.writeString(bad, "{\"jwt\": {\"secrit\": \"x\"}}");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_CONFIG", bad.toString())))
        .hasMessageContaining("unknown setting 'jwt.secrit'");
    Files.writeString(bad, "{\"shutdownGrace\": \"soon\"}");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_CONFIG", bad.toString())))
        .hasMessageContaining("shutdownGrace must be a duration");
  }

  @Test
  void serverAndStoreVariablesReadDurationsAlike() throws Exception {
    ChatSettings s =
        SettingsLoader.load(
            Map.of(
                "ASSISTANT_RATE_LIMIT_WINDOW", "12h",
                "DB_STARTUP_TIMEOUT", "12h",
                "ASSISTANT_IDLE_TIMEOUT", "PT45S",
                "DB_SOCKET_TIMEOUT", "45000"));
    assertThat(s.assistant().rateLimitWindow()).isEqualTo(Duration.ofHours(12));
    assertThat(s.store().startupTimeout()).isEqualTo(Duration.ofHours(12));
    assertThat(s.assistant().idleTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(s.store().socketTimeout()).isEqualTo(Duration.ofSeconds(45));
    Path file = dir.resolve("durations.json");
    Files.writeString(file, "{\"shutdownGrace\": \"2m\", \"jwt\": {\"clockSkew\": 1500}}");
    ChatSettings fromFile = SettingsLoader.load(Map.of("CHAT_CONFIG", file.toString()));
    assertThat(fromFile.shutdownGrace()).isEqualTo(Duration.ofMinutes(2));
    assertThat(fromFile.clockSkew()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void aBadStoreVariableIsASettingsErrorNamingItLikeTheServersOwn() {
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("DB_STARTUP_TIMEOUT", "soon")))
        .isInstanceOf(SettingsException.class)
        .hasMessage(
            "DB_STARTUP_TIMEOUT must be a duration like 500ms, 5s, 2m, 12h or PT5S (was 'soon')");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("ASSISTANT_IDLE_TIMEOUT", "soon")))
        .isInstanceOf(SettingsException.class)
        .hasMessage(
            "ASSISTANT_IDLE_TIMEOUT must be a duration like 500ms, 5s, 2m, 12h or PT5S"
                + " (was 'soon')");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("DB_POOL_SIZE", "many")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("DB_POOL_SIZE must be a whole number (was 'many')");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_STORE", "redis")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("CHAT_STORE must be postgres or memory (was 'redis')");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_ENVIRONMENT", "Staging")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("CHAT_ENVIRONMENT must be Development or Production (was 'Staging')");
  }

  @Test
  void redisUrlSelectsTheRedisBackplane() {
    ChatSettings s = SettingsLoader.load(Map.of("REDIS_URL", "redis://127.0.0.1:6379"));
    assertThat(s.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
    try (var backplane = ScaleoutModes.standard().create(s)) {
      assertThat(backplane.name()).isEqualTo("redis");
      assertThat(backplane.lifetimeManagerFactory()).isNotNull();
    }
    assertThat(ScaleoutModes.standard().create(SettingsLoader.load(Map.of())).name())
        .isEqualTo("in-process");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("REDIS_URL", "localhost:6379")))
        .hasMessageContaining("REDIS_URL must look like redis://");
  }
}
