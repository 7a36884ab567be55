package org.jvmchat.ai;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to ask the model: the conversation, oldest message first, and optional sampling settings.
 *
 * <p>Build one with {@link #of(List)} or {@link #builder()}. The request is sent as {@code
 * {"model", "messages":[{"role","content"}], "stream":true}} plus {@code temperature} and {@code
 * max_tokens} when set.
 *
 * @param messages the conversation in order, at least one message
 * @param model the model for this request, or {@code null} for {@link
 *     AssistantClientOptions#model()}
 * @param temperature sampling temperature in {@code [0, 2]}, or {@code null} for the provider's
 *     default
 * @param maxTokens the most tokens the answer may have ({@code max_tokens}, at least 1), or {@code
 *     null} for the provider's default
 */
public record ChatRequest(
    List<PromptMessage> messages, String model, Double temperature, Integer maxTokens) {

  public ChatRequest {
    Objects.requireNonNull(messages, "messages");
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a chat request needs at least one message");
    }
    if (model != null && model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank (use null for the default)");
    }
    if (temperature != null && !(temperature >= 0.0 && temperature <= 2.0)) {
      throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
    }
    if (maxTokens != null && maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
    }
  }

  /** A request for these messages with the default model and sampling. */
  public static ChatRequest of(List<PromptMessage> messages) {
    return new ChatRequest(messages, null, null, null);
  }

  /** A request with one user message. */
  public static ChatRequest ofUser(String prompt) {
    return of(List.of(PromptMessage.user(prompt)));
  }

  /** A new empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this request's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.messages.addAll(messages);
    b.model = model;
    b.temperature = temperature;
    b.maxTokens = maxTokens;
    return b;
  }

  /** Builds a {@link ChatRequest}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private final List<PromptMessage> messages = new ArrayList<>();
    private String model;
    private Double temperature;
    private Integer maxTokens;

    private Builder() {}

    /** Appends a message. */
    public Builder message(PromptMessage message) {
      messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    /** Appends messages, in order. */
    public Builder messages(List<PromptMessage> more) {
      more.forEach(this::message);
      return this;
    }

    /** Appends a system message. */
    public Builder system(String content) {
      return message(PromptMessage.system(content));
    }

    /** Appends a user message. */
    public Builder user(String content) {
      return message(PromptMessage.user(content));
    }

    /** Appends an assistant message. */
    public Builder assistant(String content) {
      return message(PromptMessage.assistant(content));
    }

    /** The model for this request; {@code null} (the default) uses the client's model. */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /**
     * Sampling temperature in {@code [0, 2]}; {@code null} (the default) lets the provider choose.
     */
    public Builder temperature(Double temperature) {
      this.temperature = temperature;
      return this;
    }

    /** The most tokens of the answer; {@code null} (the default) lets the provider choose. */
    public Builder maxTokens(Integer maxTokens) {
      this.maxTokens = maxTokens;
      return this;
    }

    /** A validated request; throws {@link IllegalArgumentException} on bad values. */
    public ChatRequest build() {
      return new ChatRequest(messages, model, temperature, maxTokens);
    }
  }
}
