package org.jvmchat.ai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jvmchat.ai.ChatRequest;
import org.jvmchat.ai.PromptMessage;

/** The JSON of the chat-completions API: the request body, stream chunks, error bodies. */
final class ChatCompletionJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Longest provider message kept in an exception message. */
  static final int MAX_PROVIDER_MESSAGE = 500;

  private ChatCompletionJson() {}

  /**
   * {@code {"model","messages":[{"role","content"}],"stream":true[,"temperature"][,"max_tokens"]}}.
   */
  static byte[] requestBody(ChatRequest request, String defaultModel) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("model", request.model() != null ? request.model() : defaultModel);
    ArrayNode messages = root.putArray("messages");
    for (PromptMessage m : request.messages()) {
      messages.addObject().put("role", m.role().wireName()).put("content", m.content());
    }
    root.put("stream", true);
    if (request.temperature() != null) {
      root.put("temperature", request.temperature());
    }
    if (request.maxTokens() != null) {
      root.put("max_tokens", request.maxTokens());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a chat request", e);
    }
  }

  /**
   * One parsed {@code data:} payload of the stream.
   *
   * @param content {@code choices[0].delta.content} (or {@code message.content} of a non-streamed
   *     completion), {@code null} when absent
   * @param finishReason {@code choices[0].finish_reason}, {@code null} when absent
   * @param error the payload's {@code error}, {@code null} when it has none
   */
  record Chunk(String content, String finishReason, ProviderError error) {}

  /**
   * The provider's description of an error.
   *
   * @param message {@code error.message} (or the top-level {@code message} / {@code detail}, or a
   *     string {@code error}), {@code null} when there is none
   * @param code {@code error.code} as text, {@code null} when there is none
   */
  record ProviderError(String message, String code) {
    boolean isModelNotFound() {
      return code != null
          && (code.equalsIgnoreCase("model_not_found")
              || code.equalsIgnoreCase("DeploymentNotFound"));
    }

    boolean isQuotaExhausted() {
      return code != null && code.equalsIgnoreCase("insufficient_quota");
    }
  }

  /**
   * Parses a {@code data:} payload.
   *
   * @throws MalformedChunkException when it is not a JSON object
   */
  static Chunk parseChunk(String data) throws MalformedChunkException {
    JsonNode root;
    try {
      root = MAPPER.readTree(data);
    } catch (JsonProcessingException e) {
      throw new MalformedChunkException(e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedChunkException("not a JSON object");
    }
    ProviderError error = errorOf(root);
    if (error != null && root.path("choices").isMissingNode()) {
      return new Chunk(null, null, error);
    }
    JsonNode choice = root.path("choices").path(0);
    JsonNode content = choice.path("delta").path("content");
    if (!content.isTextual()) {
      content = choice.path("message").path("content");
    }
    JsonNode finish = choice.path("finish_reason");
    return new Chunk(
        content.isTextual() ? content.textValue() : null,
        finish.isTextual() ? finish.textValue() : null,
        null);
  }

  /** The error described by an error response body, or {@code null} if it describes none. */
  static ProviderError parseErrorBody(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode root = MAPPER.readTree(body);
      if (root != null && root.isObject()) {
        ProviderError error = errorOf(root);
        if (error != null) {
          return error;
        }
      }
    } catch (JsonProcessingException e) {
      // not JSON: fall through to a snippet of the text
    }
    String snippet = body.strip().replaceAll("\\s+", " ");
    return new ProviderError(truncate(snippet, 200), null);
  }

  /**
   * The error of a JSON object in the shapes providers use: OpenAI/Azure/Ollama/llama.cpp {@code
   * {"error":{"message","code"}}}, {@code {"error":"text"}}, vLLM {@code
   * {"object":"error","message","code"}}, FastAPI {@code {"detail":"text"}}.
   */
  private static ProviderError errorOf(JsonNode root) {
    JsonNode error = root.get("error");
    if (error != null && error.isObject()) {
      return new ProviderError(text(error.get("message")), text(error.get("code")));
    }
    if (error != null && error.isTextual()) {
      return new ProviderError(truncate(error.textValue(), MAX_PROVIDER_MESSAGE), null);
    }
    if ("error".equals(text(root.get("object")))) {
      return new ProviderError(text(root.get("message")), text(root.get("code")));
    }
    JsonNode detail = root.get("detail");
    if (detail != null && detail.isTextual()) {
      return new ProviderError(truncate(detail.textValue(), MAX_PROVIDER_MESSAGE), null);
    }
    return null;
  }

  private static String text(JsonNode node) {
    if (node == null || node.isNull() || node.isContainerNode()) {
      return null;
    }
    String s = node.asText();
    return s.isBlank() ? null : truncate(s, MAX_PROVIDER_MESSAGE);
  }

  static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  /** A {@code data:} payload that is not a JSON object. */
  static final class MalformedChunkException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedChunkException(String message) {
      super(message, null, false, false);
    }
  }
}
