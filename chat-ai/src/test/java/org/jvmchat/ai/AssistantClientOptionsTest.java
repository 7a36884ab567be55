package org.jvmchat.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssistantClientOptionsTest {

  private static AssistantClientOptions.Builder valid() {
    return AssistantClientOptions.builder().apiKey("sk-abcdefghijklmnop");
  }

  @Test
  void defaultsAreTheDocumentedConstants() {
    AssistantClientOptions options = valid().build();

    assertThat(options.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(options.model()).isEqualTo("gpt-4o-mini");
    assertThat(options.connectTimeout()).isEqualTo(AssistantClientOptions.DEFAULT_CONNECT_TIMEOUT);
    assertThat(options.firstTokenTimeout())
        .isEqualTo(AssistantClientOptions.DEFAULT_FIRST_TOKEN_TIMEOUT);
    assertThat(options.totalTimeout()).isEqualTo(AssistantClientOptions.DEFAULT_TOTAL_TIMEOUT);
    assertThat(options.idleTimeout()).isEqualTo(AssistantClientOptions.DEFAULT_IDLE_TIMEOUT);
    assertThat(options.maxRetries()).isEqualTo(AssistantClientOptions.DEFAULT_MAX_RETRIES);
    assertThat(options.initialBackoff()).isEqualTo(AssistantClientOptions.DEFAULT_INITIAL_BACKOFF);
    assertThat(options.maxBackoff()).isEqualTo(AssistantClientOptions.DEFAULT_MAX_BACKOFF);
    assertThat(options.streamBufferSize())
        .isEqualTo(AssistantClientOptions.DEFAULT_STREAM_BUFFER_SIZE);
    assertThat(options.maxConcurrentStreams())
        .isEqualTo(AssistantClientOptions.DEFAULT_MAX_CONCURRENT_STREAMS);
  }

  @Test
  void aTrailingSlashIsDroppedAndToBuilderRoundTrips() {
    AssistantClientOptions options =
        valid()
            .baseUrl("https://my-resource.openai.azure.com/openai/v1/")
            .model("my-deployment")
            .build();

    assertThat(options.baseUrl()).isEqualTo("https://my-resource.openai.azure.com/openai/v1");
    assertThat(options.toBuilder().build().toString()).isEqualTo(options.toString());
  }

  @Test
  void toStringMasksTheKey() {
    assertThat(valid().build().toString())
        .doesNotContain("sk-abcdefghijklmnop")
        .contains("sk-****op");
  }

  @Test
  void badValuesAreRejectedWithAReadableMessage() {
    assertThatThrownBy(() -> AssistantClientOptions.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("apiKey is required");
    assertThatThrownBy(() -> valid().apiKey("sk bad\n").build())
        .hasMessageContaining("printable ASCII");
    assertThatThrownBy(() -> valid().baseUrl("localhost:11434").build())
        .hasMessageContaining("http or https URL");
    assertThatThrownBy(() -> valid().baseUrl("ftp://example.com/v1").build())
        .hasMessageContaining("http or https URL");
    assertThatThrownBy(
            () -> valid().baseUrl("https://x.openai.azure.com/openai/v1?api-version=1").build())
        .hasMessageContaining("query");
    assertThatThrownBy(() -> valid().baseUrl("https://user:secret@example.com/v1").build())
        .hasMessageContaining("credentials")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> valid().model("").build()).hasMessageContaining("model");
    assertThatThrownBy(() -> valid().connectTimeout(Duration.ZERO).build())
        .hasMessageContaining("connectTimeout must be positive");
    assertThatThrownBy(
            () ->
                valid()
                    .firstTokenTimeout(Duration.ofMinutes(10))
                    .totalTimeout(Duration.ofMinutes(1))
                    .build())
        .hasMessageContaining("firstTokenTimeout (PT10M) must not be longer than totalTimeout");
    assertThatThrownBy(() -> valid().idleTimeout(Duration.ofMillis(-1)).build())
        .hasMessageContaining("idleTimeout must be positive");
    assertThatThrownBy(() -> valid().maxRetries(-1).build()).hasMessageContaining("maxRetries");
    assertThatThrownBy(() -> valid().maxRetries(11).build()).hasMessageContaining("maxRetries");
    assertThatThrownBy(
            () ->
                valid()
                    .initialBackoff(Duration.ofSeconds(5))
                    .maxBackoff(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(() -> valid().streamBufferSize(0).build())
        .hasMessageContaining("streamBufferSize");
    assertThatThrownBy(() -> valid().maxConcurrentStreams(0).build())
        .hasMessageContaining("maxConcurrentStreams");
    assertThatThrownBy(() -> valid().totalTimeout(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("totalTimeout");
  }

  @Test
  void fromEnvironmentIsEmptyWithoutAKey() {
    assertThat(AssistantClientOptions.fromEnvironment(Map.of())).isEmpty();
    assertThat(AssistantClientOptions.fromEnvironment(Map.of("OPENAI_API_KEY", "  "))).isEmpty();
  }

  @Test
  void fromEnvironmentReadsKeyBaseUrlAndModel() {
    AssistantClientOptions options =
        AssistantClientOptions.fromEnvironment(
                Map.of(
                    "OPENAI_API_KEY", "ollama",
                    "OPENAI_BASE_URL", "http://localhost:11434/v1",
                    "OPENAI_MODEL", "llama3.2"))
            .orElseThrow();

    assertThat(options.apiKey()).isEqualTo("ollama");
    assertThat(options.baseUrl()).isEqualTo("http://localhost:11434/v1");
    assertThat(options.model()).isEqualTo("llama3.2");
    assertThat(
            AssistantClientOptions.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-x"))
                .orElseThrow()
                .baseUrl())
        .isEqualTo(AssistantClientOptions.DEFAULT_BASE_URL);
    assertThatThrownBy(
            () ->
                AssistantClientOptions.fromEnvironment(
                    Map.of("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "not a url")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
