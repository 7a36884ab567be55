package org.jvmchat.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.jvmchat.ai.ChatRequest;
import org.jvmchat.ai.internal.ChatCompletionJson.Chunk;
import org.jvmchat.ai.internal.ChatCompletionJson.MalformedChunkException;
import org.jvmchat.ai.internal.ChatCompletionJson.ProviderError;

class ChatCompletionJsonTest {

  @Test
  void theRequestBodyHasTheDocumentedShape() {
    String body =
        new String(
            ChatCompletionJson.requestBody(
                ChatRequest.builder().system("be \"brief\"").user("hé").maxTokens(5).build(),
                "default-model"),
            StandardCharsets.UTF_8);

    assertThat(body)
        .isEqualTo(
            "{\"model\":\"default-model\",\"messages\":[{\"role\":\"system\",\"content\":\"be"
                + " \\\"brief\\\"\"},{\"role\":\"user\",\"content\":\"hé\"}],\"stream\":true,"
                + "\"max_tokens\":5}");
  }

  @Test
  void aDeltaChunkYieldsItsContentAndFinishReason() throws Exception {
    Chunk chunk =
        ChatCompletionJson.parseChunk(
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}");

    assertThat(chunk.content()).isEqualTo("Hi");
    assertThat(chunk.finishReason()).isEqualTo("stop");
    assertThat(chunk.error()).isNull();
  }

  @Test
  void chunksWithoutContentAreValidButEmpty() throws Exception {
    assertThat(ChatCompletionJson.parseChunk("{\"choices\":[]}").content()).isNull();
    assertThat(
            ChatCompletionJson.parseChunk(
                    "{\"choices\":[{\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}")
                .content())
        .isNull();
    assertThat(ChatCompletionJson.parseChunk("{\"usage\":{\"total_tokens\":3}}").content())
        .isNull();
  }

  @Test
  void nonObjectsAreMalformed() {
    assertThatThrownBy(() -> ChatCompletionJson.parseChunk("{oops"))
        .isInstanceOf(MalformedChunkException.class);
    assertThatThrownBy(() -> ChatCompletionJson.parseChunk("[1,2]"))
        .isInstanceOf(MalformedChunkException.class);
    assertThatThrownBy(() -> ChatCompletionJson.parseChunk("\"text\""))
        .isInstanceOf(MalformedChunkException.class);
  }

  @Test
  void errorBodiesOfEachProviderShapeAreRead() {
    ProviderError openAi =
        ChatCompletionJson.parseErrorBody(
            "{\"error\":{\"message\":\"Bad key\",\"type\":\"x\",\"code\":\"invalid_api_key\"}}");
    assertThat(openAi).isEqualTo(new ProviderError("Bad key", "invalid_api_key"));

    ProviderError azure =
        ChatCompletionJson.parseErrorBody(
            "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for"
                + " this resource does not exist.\"}}");
    assertThat(azure.isModelNotFound()).isTrue();

    ProviderError llamaCpp =
        ChatCompletionJson.parseErrorBody(
            "{\"error\":{\"code\":401,\"message\":\"Invalid API Key\",\"type\":\"authentication_error\"}}");
    assertThat(llamaCpp).isEqualTo(new ProviderError("Invalid API Key", "401"));

    ProviderError vllm =
        ChatCompletionJson.parseErrorBody(
            "{\"object\":\"error\",\"message\":\"The model `x` does not exist.\",\"code\":404}");
    assertThat(vllm.message()).isEqualTo("The model `x` does not exist.");

    assertThat(ChatCompletionJson.parseErrorBody("{\"error\":\"model 'x' not found\"}").message())
        .isEqualTo("model 'x' not found");
    assertThat(ChatCompletionJson.parseErrorBody("{\"detail\":\"Not Found\"}").message())
        .isEqualTo("Not Found");
  }

  @Test
  void nonJsonErrorBodiesBecomeAShortSnippet() {
    ProviderError html =
        ChatCompletionJson.parseErrorBody(
            "<html>\n  <h1>502   Bad Gateway</h1>\n" + "x".repeat(400));

    assertThat(html.message()).startsWith("<html> <h1>502 Bad Gateway</h1>").hasSizeLessThan(210);
    assertThat(ChatCompletionJson.parseErrorBody("")).isNull();
  }

  @Test
  void aSpentQuotaIsRecognised() {
    assertThat(new ProviderError("q", "insufficient_quota").isQuotaExhausted()).isTrue();
    assertThat(new ProviderError("q", "rate_limit_exceeded").isQuotaExhausted()).isFalse();
  }
}
