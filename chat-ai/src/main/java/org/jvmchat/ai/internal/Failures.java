package org.jvmchat.ai.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.jvmchat.ai.AssistantException;
import org.jvmchat.ai.AssistantException.Reason;
import org.jvmchat.ai.internal.ChatCompletionJson.ProviderError;

/**
 * Turns HTTP statuses, provider errors and I/O failures into readable {@link AssistantException}s.
 */
final class Failures {

  private Failures() {}

  /**
   * Whether an error status may succeed on a later attempt: 429 (but not a spent quota) and 5xx.
   */
  static boolean isRetryable(int status, ProviderError error) {
    if (status == 429) {
      return error == null || !error.isQuotaExhausted();
    }
    return status >= 500 && status <= 599;
  }

  /** The failure for an HTTP error status. */
  static AssistantException forStatus(
      int status, ProviderError error, String endpoint, String model, int attempts, String note) {
    Reason reason;
    String summary;
    if ((error != null && error.isModelNotFound()) || status == 404) {
      reason = Reason.UNKNOWN_MODEL;
      summary =
          "the endpoint does not know the model '"
              + model
              + "'"
              + (status == 404 ? " (or the base URL is wrong)" : "");
    } else if (status == 401 || status == 403) {
      reason = Reason.BAD_KEY;
      summary = "the API key was rejected";
    } else if (status == 429) {
      reason = Reason.RATE_LIMITED;
      summary =
          error != null && error.isQuotaExhausted()
              ? "the account's quota is used up"
              : "the provider is rate limiting requests";
    } else if (status >= 500) {
      reason = Reason.SERVER_ERROR;
      summary = "the provider failed";
    } else {
      reason = Reason.BAD_REQUEST;
      summary = "the provider refused the request";
    }
    String providerMessage = error == null ? null : error.message();
    StringBuilder message =
        new StringBuilder(summary)
            .append(" (HTTP ")
            .append(status)
            .append(" from POST ")
            .append(endpoint)
            .append(')');
    if (providerMessage != null) {
      message.append(": ").append(providerMessage);
    }
    appendAttempts(message, attempts);
    if (note != null) {
      message.append("; ").append(note);
    }
    return new AssistantException(
        reason, message.toString(), status, providerMessage, attempts, null);
  }

  /** An {@code error} object inside a 200 response (in the stream or as a JSON body). */
  static AssistantException inStream(
      ProviderError error, String endpoint, String model, int attempts) {
    if (error.isModelNotFound()) {
      return forStatus(404, error, endpoint, model, attempts, null);
    }
    String message =
        "the provider reported an error while answering (POST "
            + endpoint
            + ")"
            + (error.message() != null ? ": " + error.message() : "");
    return new AssistantException(
        Reason.SERVER_ERROR, message, 200, error.message(), attempts, null);
  }

  /** A failure before any response: connect refused, DNS, connect timeout, reset. */
  static AssistantException unreachable(IOException e, String endpoint, int attempts) {
    String what;
    if (e instanceof UnknownHostException) {
      what = "cannot resolve the host";
    } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      what = "cannot connect";
    } else if (e instanceof InterruptedIOException) {
      what = "connecting timed out";
    } else {
      what = "the connection failed";
    }
    StringBuilder message =
        new StringBuilder("the assistant endpoint is unreachable: ")
            .append(what)
            .append(" (POST ")
            .append(endpoint)
            .append("): ")
            .append(e);
    appendAttempts(message, attempts);
    return new AssistantException(Reason.UNREACHABLE, message.toString(), attempts, e);
  }

  /** The connection broke after the response started. */
  static AssistantException connectionLost(
      Throwable e, String endpoint, int attempts, long charsReceived) {
    return new AssistantException(
        Reason.UNREACHABLE,
        "the connection to the assistant broke after "
            + charsReceived
            + " characters of the answer (POST "
            + endpoint
            + "): "
            + e,
        attempts,
        e);
  }

  /** The response was not a chat-completions stream. */
  static AssistantException badResponse(String what, String endpoint, int attempts) {
    return new AssistantException(
        Reason.BAD_RESPONSE,
        "the assistant's response could not be understood: " + what + " (POST " + endpoint + ")",
        attempts,
        null);
  }

  /** A timeout passed. */
  static AssistantException timeout(
      boolean firstToken, Duration limit, String endpoint, int attempts) {
    String message =
        firstToken
            ? "the assistant sent no answer within the first-token timeout of "
                + human(limit)
                + " (POST "
                + endpoint
                + ")"
            : "the assistant's answer did not finish within the total timeout of "
                + human(limit)
                + " (POST "
                + endpoint
                + ")";
    StringBuilder sb = new StringBuilder(message);
    appendAttempts(sb, attempts);
    return new AssistantException(Reason.TIMEOUT, sb.toString(), attempts, null);
  }

  /** The stream went quiet in the middle of the answer. */
  static AssistantException idle(Duration limit, String endpoint, int attempts, long chars) {
    return new AssistantException(
        Reason.TIMEOUT,
        "the assistant stopped sending for "
            + human(limit)
            + " (idle timeout) after "
            + chars
            + " characters of the answer (POST "
            + endpoint
            + ")",
        attempts,
        null);
  }

  static AssistantException busy(int limit) {
    return new AssistantException(
        Reason.BUSY,
        "the assistant is busy: " + limit + " answers are already streaming (maxConcurrentStreams)",
        0,
        null);
  }

  static AssistantException closed(int attempts) {
    return new AssistantException(Reason.CLOSED, "the assistant client was closed", attempts, null);
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }

  private static void appendAttempts(StringBuilder message, int attempts) {
    if (attempts > 1) {
      message.append(" (after ").append(attempts).append(" attempts)");
    }
  }
}
