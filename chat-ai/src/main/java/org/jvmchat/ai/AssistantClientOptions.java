package org.jvmchat.ai;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable configuration of an {@link AssistantClient}. Build with {@link #builder()}; every value
 * has a {@code DEFAULT_*} constant except the API key, and {@link Builder#build()} validates.
 */
public final class AssistantClientOptions {

  /** OpenAI's endpoint. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  /** A small, cheap OpenAI model. */
  public static final String DEFAULT_MODEL = "gpt-4o-mini";

  /** How long a TCP (and TLS) connect may take. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long from the start of a request (retries and their backoff included) until the first text
   * delta. Generous because a local server may first load the model into memory.
   */
  public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofSeconds(60);

  /** How long the whole answer may take, from the start of the request to {@code [DONE]}. */
  public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(5);

  /**
   * After the first token, how long the stream may send nothing before the answer fails with {@link
   * AssistantException.Reason#TIMEOUT}. Time the client spends waiting for a slow subscriber (a
   * full buffer) does not count.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Retries after the first attempt (only before the first token, on 429, 5xx, connect errors). */
  public static final int DEFAULT_MAX_RETRIES = 2;

  /** Backoff before the first retry; it doubles for each further retry, with jitter. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);

  /**
   * The longest backoff. A {@code Retry-After} longer than this is not waited for: the answer fails
   * with {@link AssistantException.Reason#RATE_LIMITED} (or {@code SERVER_ERROR}) at once.
   */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

  /** Text deltas held per answer while the subscriber has not asked for them. */
  public static final int DEFAULT_STREAM_BUFFER_SIZE = 256;

  /** Answers one client streams at the same time; more fail with {@code BUSY}. */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 64;

  /** Upper bound for {@link Builder#maxRetries(int)}. */
  public static final int MAX_RETRIES_LIMIT = 10;

  private final String baseUrl;
  private final String apiKey;
  private final String model;
  private final Duration connectTimeout;
  private final Duration firstTokenTimeout;
  private final Duration totalTimeout;
  private final Duration idleTimeout;
  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final int streamBufferSize;
  private final int maxConcurrentStreams;

  private AssistantClientOptions(Builder b) {
    this.baseUrl = b.baseUrl;
    this.apiKey = b.apiKey;
    this.model = b.model;
    this.connectTimeout = b.connectTimeout;
    this.firstTokenTimeout = b.firstTokenTimeout;
    this.totalTimeout = b.totalTimeout;
    this.idleTimeout = b.idleTimeout;
    this.maxRetries = b.maxRetries;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.streamBufferSize = b.streamBufferSize;
    this.maxConcurrentStreams = b.maxConcurrentStreams;
  }

  /** A builder with every default; {@link Builder#apiKey(String)} must still be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Options from {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL} and {@code OPENAI_MODEL} (pass
   * {@code System.getenv()}), defaults for the rest; empty when {@code OPENAI_API_KEY} is unset or
   * blank (the assistant is disabled then).
   *
   * @throws IllegalArgumentException when a variable is set to a bad value
   */
  public static Optional<AssistantClientOptions> fromEnvironment(Map<String, String> env) {
    String key = env.get("OPENAI_API_KEY");
    if (key == null || key.isBlank()) {
      return Optional.empty();
    }
    Builder b = builder().apiKey(key.strip());
    String baseUrl = env.get("OPENAI_BASE_URL");
    if (baseUrl != null && !baseUrl.isBlank()) {
      b.baseUrl(baseUrl.strip());
    }
    String model = env.get("OPENAI_MODEL");
    if (model != null && !model.isBlank()) {
      b.model(model.strip());
    }
    return Optional.of(b.build());
  }

  /** The base URL without a trailing slash; requests go to {@code {baseUrl}/chat/completions}. */
  public String baseUrl() {
    return baseUrl;
  }

  /** The key sent as {@code Authorization: Bearer <key>}. */
  public String apiKey() {
    return apiKey;
  }

  /** The model used when a {@link ChatRequest} names none (for Azure: the deployment name). */
  public String model() {
    return model;
  }

  /** See {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** See {@link #DEFAULT_FIRST_TOKEN_TIMEOUT}. */
  public Duration firstTokenTimeout() {
    return firstTokenTimeout;
  }

  /** See {@link #DEFAULT_TOTAL_TIMEOUT}. */
  public Duration totalTimeout() {
    return totalTimeout;
  }

  /** See {@link #DEFAULT_IDLE_TIMEOUT}. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** See {@link #DEFAULT_MAX_RETRIES}. */
  public int maxRetries() {
    return maxRetries;
  }

  /** See {@link #DEFAULT_INITIAL_BACKOFF}. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** See {@link #DEFAULT_MAX_BACKOFF}. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** See {@link #DEFAULT_STREAM_BUFFER_SIZE}. */
  public int streamBufferSize() {
    return streamBufferSize;
  }

  /** See {@link #DEFAULT_MAX_CONCURRENT_STREAMS}. */
  public int maxConcurrentStreams() {
    return maxConcurrentStreams;
  }

  /** The options, with the API key masked. */
  @Override
  public String toString() {
    return "AssistantClientOptions{baseUrl="
        + baseUrl
        + ", apiKey="
        + maskKey(apiKey)
        + ", model="
        + model
        + ", connectTimeout="
        + connectTimeout
        + ", firstTokenTimeout="
        + firstTokenTimeout
        + ", totalTimeout="
        + totalTimeout
        + ", idleTimeout="
        + idleTimeout
        + ", maxRetries="
        + maxRetries
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", streamBufferSize="
        + streamBufferSize
        + ", maxConcurrentStreams="
        + maxConcurrentStreams
        + "}";
  }

  private static String maskKey(String key) {
    return key.length() <= 8
        ? "****"
        : key.substring(0, 3) + "****" + key.substring(key.length() - 2);
  }

  /** Builds {@link AssistantClientOptions}. Not thread-safe. */
  public static final class Builder {
    private String baseUrl = DEFAULT_BASE_URL;
    private String apiKey;
    private String model = DEFAULT_MODEL;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration firstTokenTimeout = DEFAULT_FIRST_TOKEN_TIMEOUT;
    private Duration totalTimeout = DEFAULT_TOTAL_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private int streamBufferSize = DEFAULT_STREAM_BUFFER_SIZE;
    private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;

    private Builder() {}

    private Builder(AssistantClientOptions o) {
      baseUrl = o.baseUrl;
      apiKey = o.apiKey;
      model = o.model;
      connectTimeout = o.connectTimeout;
      firstTokenTimeout = o.firstTokenTimeout;
      totalTimeout = o.totalTimeout;
      idleTimeout = o.idleTimeout;
      maxRetries = o.maxRetries;
      initialBackoff = o.initialBackoff;
      maxBackoff = o.maxBackoff;
      streamBufferSize = o.streamBufferSize;
      maxConcurrentStreams = o.maxConcurrentStreams;
    }

    /**
     * An {@code http} or {@code https} URL up to the API version, e.g. {@code
     * https://api.openai.com/v1}, {@code http://localhost:11434/v1}; default {@link
     * #DEFAULT_BASE_URL}. A trailing slash is dropped.
     */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** Required: the API key (for servers that ignore keys, such as Ollama, any text). */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** Default {@link #DEFAULT_MODEL}. */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /** Default {@link #DEFAULT_CONNECT_TIMEOUT}; positive. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Default {@link #DEFAULT_FIRST_TOKEN_TIMEOUT}; positive, at most the total timeout. */
    public Builder firstTokenTimeout(Duration firstTokenTimeout) {
      this.firstTokenTimeout = firstTokenTimeout;
      return this;
    }

    /** Default {@link #DEFAULT_TOTAL_TIMEOUT}; positive. */
    public Builder totalTimeout(Duration totalTimeout) {
      this.totalTimeout = totalTimeout;
      return this;
    }

    /** Default {@link #DEFAULT_IDLE_TIMEOUT}; positive. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /** Default {@link #DEFAULT_MAX_RETRIES}; 0 to {@link #MAX_RETRIES_LIMIT}. */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    /** Default {@link #DEFAULT_INITIAL_BACKOFF}; positive. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
      return this;
    }

    /** Default {@link #DEFAULT_MAX_BACKOFF}; at least the initial backoff. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Default {@link #DEFAULT_STREAM_BUFFER_SIZE}; 1 to 65536. */
    public Builder streamBufferSize(int streamBufferSize) {
      this.streamBufferSize = streamBufferSize;
      return this;
    }

    /** Default {@link #DEFAULT_MAX_CONCURRENT_STREAMS}; 1 to 10000. */
    public Builder maxConcurrentStreams(int maxConcurrentStreams) {
      this.maxConcurrentStreams = maxConcurrentStreams;
      return this;
    }

    /**
     * Validated options.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public AssistantClientOptions build() {
      baseUrl = normalizeBaseUrl(baseUrl);
      if (apiKey == null || apiKey.isBlank()) {
        throw new IllegalArgumentException(
            "apiKey is required (for servers that ignore it, such as Ollama, any text will do)");
      }
      if (!apiKey.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
        throw new IllegalArgumentException(
            "apiKey must be printable ASCII without spaces or line breaks");
      }
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      positive("connectTimeout", connectTimeout);
      positive("firstTokenTimeout", firstTokenTimeout);
      positive("totalTimeout", totalTimeout);
      positive("idleTimeout", idleTimeout);
      if (firstTokenTimeout.compareTo(totalTimeout) > 0) {
        throw new IllegalArgumentException(
            "firstTokenTimeout ("
                + firstTokenTimeout
                + ") must not be longer than totalTimeout ("
                + totalTimeout
                + ")");
      }
      if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
        throw new IllegalArgumentException(
            "maxRetries must be in [0, " + MAX_RETRIES_LIMIT + "], was " + maxRetries);
      }
      positive("initialBackoff", initialBackoff);
      positive("maxBackoff", maxBackoff);
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff ("
                + maxBackoff
                + ") must be at least initialBackoff ("
                + initialBackoff
                + ")");
      }
      if (streamBufferSize < 1 || streamBufferSize > 65_536) {
        throw new IllegalArgumentException(
            "streamBufferSize must be in [1, 65536], was " + streamBufferSize);
      }
      if (maxConcurrentStreams < 1 || maxConcurrentStreams > 10_000) {
        throw new IllegalArgumentException(
            "maxConcurrentStreams must be in [1, 10000], was " + maxConcurrentStreams);
      }
      return new AssistantClientOptions(this);
    }

    private static void positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
    }

    private static String normalizeBaseUrl(String raw) {
      if (raw == null || raw.isBlank()) {
        throw new IllegalArgumentException("baseUrl must not be blank");
      }
      String url = raw.strip();
      while (url.endsWith("/")) {
        url = url.substring(0, url.length() - 1);
      }
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("baseUrl is not a URL: " + raw, e);
      }
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "baseUrl must be an http or https URL such as https://api.openai.com/v1, was " + raw);
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "baseUrl must not have a query or fragment (the v1 API needs no api-version), was "
                + raw);
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "baseUrl must not carry credentials; set apiKey instead");
      }
      return url;
    }
  }
}
