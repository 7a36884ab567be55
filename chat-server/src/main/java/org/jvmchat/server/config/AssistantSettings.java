package org.jvmchat.server.config;

import java.time.Duration;
import org.jvmchat.ai.AssistantClientOptions;
import org.jvmchat.persistence.ChatLimits;

/**
 * How the {@code @gpt} assistant behaves (the endpoint, key and model are {@link ChatSettings}'
 * {@code openAi*} settings). Immutable; {@link #builder()} starts at the defaults below; {@link
 * Builder#build()} validates.
 */
public final class AssistantSettings {
  /** The system prompt sent first with every request. */
  public static final String DEFAULT_SYSTEM_PROMPT =
      "You are a helpful assistant in a group chat room. Messages from people start with the"
          + " sender's name and a colon. Answer the latest request that mentions @gpt, briefly and"
          + " in the language it was written in.";

  /** Most room messages sent as context: {@value}. */
  public static final int DEFAULT_HISTORY_MESSAGES = 20;

  /** Most characters of room messages sent as context: {@value}. */
  public static final int DEFAULT_HISTORY_CHARACTERS = 12_000;

  public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT =
      AssistantClientOptions.DEFAULT_FIRST_TOKEN_TIMEOUT;
  public static final Duration DEFAULT_IDLE_TIMEOUT = AssistantClientOptions.DEFAULT_IDLE_TIMEOUT;
  public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(2);
  public static final int DEFAULT_MAX_RETRIES = AssistantClientOptions.DEFAULT_MAX_RETRIES;

  /** {@code max_tokens} of an answer: {@value} (about 3000 characters of English). */
  public static final int DEFAULT_MAX_TOKENS = 800;

  /** Requests per user per {@link #DEFAULT_RATE_LIMIT_WINDOW}: {@value}. */
  public static final int DEFAULT_RATE_LIMIT = 10;

  public static final Duration DEFAULT_RATE_LIMIT_WINDOW = Duration.ofMinutes(1);

  /** Answers streaming at once on this server ({@code @gpt} and StreamAssistant): {@value}. */
  public static final int DEFAULT_MAX_CONCURRENT = 16;

  /** Longest system prompt: {@value} characters. */
  public static final int MAX_SYSTEM_PROMPT_LENGTH = 20_000;

  private final String systemPrompt;
  private final int historyMessages;
  private final int historyCharacters;
  private final Duration firstTokenTimeout;
  private final Duration idleTimeout;
  private final Duration totalTimeout;
  private final int maxRetries;
  private final int maxTokens;
  private final int rateLimit;
  private final Duration rateLimitWindow;
  private final int maxConcurrent;

  private AssistantSettings(Builder b) {
    this.systemPrompt = b.systemPrompt;
    this.historyMessages = b.historyMessages;
    this.historyCharacters = b.historyCharacters;
    this.firstTokenTimeout = b.firstTokenTimeout;
    this.idleTimeout = b.idleTimeout;
    this.totalTimeout = b.totalTimeout;
    this.maxRetries = b.maxRetries;
    this.maxTokens = b.maxTokens;
    this.rateLimit = b.rateLimit;
    this.rateLimitWindow = b.rateLimitWindow;
    this.maxConcurrent = b.maxConcurrent;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.systemPrompt = systemPrompt;
    b.historyMessages = historyMessages;
    b.historyCharacters = historyCharacters;
    b.firstTokenTimeout = firstTokenTimeout;
    b.idleTimeout = idleTimeout;
    b.totalTimeout = totalTimeout;
    b.maxRetries = maxRetries;
    b.maxTokens = maxTokens;
    b.rateLimit = rateLimit;
    b.rateLimitWindow = rateLimitWindow;
    b.maxConcurrent = maxConcurrent;
    return b;
  }

  /** The system message sent first; empty sends none. */
  public String systemPrompt() {
    return systemPrompt;
  }

  /** Most recent room messages sent as context (1..200). */
  public int historyMessages() {
    return historyMessages;
  }

  /**
   * Most characters (code points) of room messages sent as context; the newest message is always
   * sent.
   */
  public int historyCharacters() {
    return historyCharacters;
  }

  public Duration firstTokenTimeout() {
    return firstTokenTimeout;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration totalTimeout() {
    return totalTimeout;
  }

  /** Retries before the first token on 429, 5xx and connect failures (0..10). */
  public int maxRetries() {
    return maxRetries;
  }

  /** {@code max_tokens} of each answer. */
  public int maxTokens() {
    return maxTokens;
  }

  /** Requests a user may make per {@link #rateLimitWindow()}. */
  public int rateLimit() {
    return rateLimit;
  }

  public Duration rateLimitWindow() {
    return rateLimitWindow;
  }

  /** Answers streaming at once on this server; more are refused with a readable message. */
  public int maxConcurrent() {
    return maxConcurrent;
  }

  /** The chat-ai client options for this endpoint, key and model. */
  public AssistantClientOptions clientOptions(String baseUrl, String apiKey, String model) {
    return AssistantClientOptions.builder()
        .baseUrl(baseUrl)
        .apiKey(apiKey)
        .model(model)
        .firstTokenTimeout(firstTokenTimeout)
        .idleTimeout(idleTimeout)
        .totalTimeout(totalTimeout)
        .maxRetries(maxRetries)
        .maxConcurrentStreams(maxConcurrent)
        .build();
  }

  @Override
  public String toString() {
    return "{systemPrompt="
        + systemPrompt.codePointCount(0, systemPrompt.length())
        + " chars, historyMessages="
        + historyMessages
        + ", historyCharacters="
        + historyCharacters
        + ", firstTokenTimeout="
        + firstTokenTimeout
        + ", idleTimeout="
        + idleTimeout
        + ", totalTimeout="
        + totalTimeout
        + ", maxRetries="
        + maxRetries
        + ", maxTokens="
        + maxTokens
        + ", rateLimit="
        + rateLimit
        + "/"
        + rateLimitWindow
        + ", maxConcurrent="
        + maxConcurrent
        + "}";
  }

  /** Builder; every setting starts at its default. */
  public static final class Builder {
    private String systemPrompt = DEFAULT_SYSTEM_PROMPT;
    private int historyMessages = DEFAULT_HISTORY_MESSAGES;
    private int historyCharacters = DEFAULT_HISTORY_CHARACTERS;
    private Duration firstTokenTimeout = DEFAULT_FIRST_TOKEN_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration totalTimeout = DEFAULT_TOTAL_TIMEOUT;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private int maxTokens = DEFAULT_MAX_TOKENS;
    private int rateLimit = DEFAULT_RATE_LIMIT;
    private Duration rateLimitWindow = DEFAULT_RATE_LIMIT_WINDOW;
    private int maxConcurrent = DEFAULT_MAX_CONCURRENT;

    private Builder() {}

    public Builder systemPrompt(String prompt) {
      this.systemPrompt = prompt;
      return this;
    }

    public Builder historyMessages(int messages) {
      this.historyMessages = messages;
      return this;
    }

    public Builder historyCharacters(int characters) {
      this.historyCharacters = characters;
      return this;
    }

    public Builder firstTokenTimeout(Duration timeout) {
      this.firstTokenTimeout = timeout;
      return this;
    }

    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    public Builder totalTimeout(Duration timeout) {
      this.totalTimeout = timeout;
      return this;
    }

    public Builder maxRetries(int retries) {
      this.maxRetries = retries;
      return this;
    }

    public Builder maxTokens(int tokens) {
      this.maxTokens = tokens;
      return this;
    }

    public Builder rateLimit(int requests) {
      this.rateLimit = requests;
      return this;
    }

    public Builder rateLimitWindow(Duration window) {
      this.rateLimitWindow = window;
      return this;
    }

    public Builder maxConcurrent(int answers) {
      this.maxConcurrent = answers;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws SettingsException with one readable line naming the setting
     */
    public AssistantSettings build() {
      if (systemPrompt == null) {
        systemPrompt = "";
      }
      try {
        ChatLimits.requireText(
            "ASSISTANT_SYSTEM_PROMPT", systemPrompt, 0, MAX_SYSTEM_PROMPT_LENGTH);
      } catch (IllegalArgumentException e) {
        throw new SettingsException(e.getMessage());
      }
      range("ASSISTANT_HISTORY_MESSAGES", historyMessages, 1, ChatLimits.HISTORY_MAX_LIMIT);
      range("ASSISTANT_HISTORY_CHARACTERS", historyCharacters, 1, 1_000_000);
      positive("ASSISTANT_FIRST_TOKEN_TIMEOUT", firstTokenTimeout);
      positive("ASSISTANT_IDLE_TIMEOUT", idleTimeout);
      positive("ASSISTANT_TOTAL_TIMEOUT", totalTimeout);
      if (firstTokenTimeout.compareTo(totalTimeout) > 0) {
        throw new SettingsException(
            "ASSISTANT_FIRST_TOKEN_TIMEOUT ("
                + firstTokenTimeout
                + ") must not be longer than ASSISTANT_TOTAL_TIMEOUT ("
                + totalTimeout
                + ")");
      }
      range("ASSISTANT_MAX_RETRIES", maxRetries, 0, AssistantClientOptions.MAX_RETRIES_LIMIT);
      range("ASSISTANT_MAX_TOKENS", maxTokens, 1, 1_000_000);
      range("ASSISTANT_RATE_LIMIT", rateLimit, 1, 1_000_000);
      positive("ASSISTANT_RATE_LIMIT_WINDOW", rateLimitWindow);
      range("ASSISTANT_MAX_CONCURRENT", maxConcurrent, 1, 10_000);
      return new AssistantSettings(this);
    }

    private static void range(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new SettingsException(name + " must be " + min + ".." + max + " (was " + value + ")");
      }
    }

    private static void positive(String name, Duration d) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new SettingsException(name + " must be a positive duration (was " + d + ")");
      }
    }
  }
}
