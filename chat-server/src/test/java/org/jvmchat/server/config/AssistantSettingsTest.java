package org.jvmchat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.ai.AssistantClientOptions;

class AssistantSettingsTest {
  @TempDir Path dir;

  @Test
  void defaultsAndTheAssistantIsOffWithoutAKey() {
    ChatSettings s = SettingsLoader.load(Map.of());
    assertThat(s.assistantEnabled()).isFalse();
    assertThat(s.assistantClientOptions()).isEmpty();
    AssistantSettings a = s.assistant();
    assertThat(a.systemPrompt()).isEqualTo(AssistantSettings.DEFAULT_SYSTEM_PROMPT);
    assertThat(a.historyMessages()).isEqualTo(20);
    assertThat(a.historyCharacters()).isEqualTo(12_000);
    assertThat(a.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(a.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(a.totalTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(a.maxRetries()).isEqualTo(2);
    assertThat(a.maxTokens()).isEqualTo(800);
    assertThat(a.rateLimit()).isEqualTo(10);
    assertThat(a.rateLimitWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(a.maxConcurrent()).isEqualTo(16);
  }

  @Test
  void theEnvironmentWinsOverTheFileAndTheClientOptionsFollow() throws Exception {
    Path file = dir.resolve("appsettings.json");
    Files.writeString(
        file,
        """
        {"openai": {"apiKey": "from-file", "baseUrl": "http://localhost:11434/v1",
                    "model": "llama3.2"},
         "assistant": {"systemPrompt": "Be brief.", "historyMessages": 5,
                       "historyCharacters": 2000, "firstTokenTimeout": "90s",
                       "idleTimeout": "10s", "totalTimeout": "3m", "maxRetries": 1,
                       "maxTokens": 300, "rateLimit": 3, "rateLimitWindow": "30s",
                       "maxConcurrent": 4}}
        """);
    ChatSettings s =
        SettingsLoader.load(
            Map.of(
                "CHAT_CONFIG", file.toString(),
                "ASSISTANT_RATE_LIMIT", "7",
                "ASSISTANT_SYSTEM_PROMPT", "  Answer like a pirate.  "));
    AssistantSettings a = s.assistant();
    assertThat(a.systemPrompt()).isEqualTo("  Answer like a pirate.  ");
    assertThat(a.historyMessages()).isEqualTo(5);
    assertThat(a.historyCharacters()).isEqualTo(2000);
    assertThat(a.rateLimit()).isEqualTo(7);
    assertThat(a.rateLimitWindow()).isEqualTo(Duration.ofSeconds(30));
    AssistantClientOptions o = s.assistantClientOptions().orElseThrow();
    assertThat(o.baseUrl()).isEqualTo("http://localhost:11434/v1");
    assertThat(o.apiKey()).isEqualTo("from-file");
    assertThat(o.model()).isEqualTo("llama3.2");
    assertThat(o.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.totalTimeout()).isEqualTo(Duration.ofMinutes(3));
    assertThat(o.maxRetries()).isEqualTo(1);
    assertThat(o.maxConcurrentStreams()).isEqualTo(4);
    assertThat(s.toString()).doesNotContain("from-file").contains("rateLimit=7/PT30S");
  }

  @Test
  void badValuesStopTheStartWithOneLineNamingTheSetting() throws Exception {
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("ASSISTANT_HISTORY_MESSAGES", "0")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("ASSISTANT_HISTORY_MESSAGES must be 1..200 (was 0)");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("ASSISTANT_RATE_LIMIT", "many")))
        .hasMessage("ASSISTANT_RATE_LIMIT must be a whole number (was 'many')");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("ASSISTANT_FIRST_TOKEN_TIMEOUT", "soon")))
        .hasMessageStartingWith("ASSISTANT_FIRST_TOKEN_TIMEOUT must be a duration");
    assertThatThrownBy(
            () ->
                SettingsLoader.load(
                    Map.of("ASSISTANT_FIRST_TOKEN_TIMEOUT", "5m", "ASSISTANT_TOTAL_TIMEOUT", "1m")))
        .hasMessageContaining("must not be longer than ASSISTANT_TOTAL_TIMEOUT");
    assertThatThrownBy(
            () -> SettingsLoader.load(Map.of("OPENAI_API_KEY", "has space", "OPENAI_MODEL", "m")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("apiKey must be printable ASCII")
        .hasMessageNotContaining("has space");
    Path file = dir.resolve("typo.json");
    Files.writeString(file, "{\"assistant\": {\"rateLimt\": 3}}");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_CONFIG", file.toString())))
        .hasMessageContaining("unknown setting 'assistant.rateLimt'");
  }
}
