package org.jvmchat.ai;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Why an answer failed, with a message a person can read (it includes the provider's own {@code
 * error.message} when the response had one, never the API key).
 *
 * <p>Delivered through {@link java.util.concurrent.Flow.Subscriber#onError(Throwable)} or as the
 * cause of a failed {@link java.util.concurrent.CompletableFuture}.
 */
public final class AssistantException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The kinds of failure, each with what usually fixes it. */
  public enum Reason {
    /** HTTP 401 or 403: the API key is missing, wrong, or not allowed. Not retried. */
    BAD_KEY,
    /**
     * HTTP 404, or an error code {@code model_not_found} / {@code DeploymentNotFound}: the model
     * (an Azure deployment) does not exist there, or the base URL is wrong. Not retried.
     */
    UNKNOWN_MODEL,
    /** Any other HTTP 4xx (400, 413, 422, ...): the provider refused the request. Not retried. */
    BAD_REQUEST,
    /** HTTP 429 on every attempt, or a quota error (retrying cannot help then). */
    RATE_LIMITED,
    /**
     * The endpoint could not be reached (connection refused, DNS, connect timeout) on every
     * attempt, or the connection broke while the answer was streaming.
     */
    UNREACHABLE,
    /** The first-token, idle or total timeout passed. */
    TIMEOUT,
    /** HTTP 5xx on every attempt, or an {@code error} object inside the stream. */
    SERVER_ERROR,
    /**
     * The response could not be understood: not {@code text/event-stream} (nor a JSON completion),
     * no usable chunk at all, or a stream that ended without {@code [DONE]} or a {@code
     * finish_reason}.
     */
    BAD_RESPONSE,
    /** This client already streams its maximum number of answers; nothing was sent. */
    BUSY,
    /** The client was closed before or while the answer streamed. */
    CLOSED
  }

  private final Reason reason;
  private final int httpStatus;
  private final String providerMessage;
  private final int attempts;

  /**
   * A failure.
   *
   * @param reason the kind of failure
   * @param message the readable message
   * @param httpStatus the HTTP status the provider answered, or 0 when none
   * @param providerMessage the provider's {@code error.message}, or {@code null}
   * @param attempts how many HTTP requests were made (0 when none was)
   * @param cause the underlying exception, or {@code null}
   */
  public AssistantException(
      Reason reason,
      String message,
      int httpStatus,
      String providerMessage,
      int attempts,
      Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.httpStatus = httpStatus;
    this.providerMessage = providerMessage;
    this.attempts = attempts;
  }

  /** A failure without an HTTP status or provider message. */
  public AssistantException(Reason reason, String message, int attempts, Throwable cause) {
    this(reason, message, 0, null, attempts, cause);
  }

  /** The kind of failure. */
  public Reason reason() {
    return reason;
  }

  /** The HTTP status of the last response, when there was one. */
  public OptionalInt httpStatus() {
    return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }

  /** The provider's own error message ({@code error.message}), when the response had one. */
  public Optional<String> providerMessage() {
    return Optional.ofNullable(providerMessage);
  }

  /** How many HTTP requests were made for this answer (retries included). */
  public int attempts() {
    return attempts;
  }
}
