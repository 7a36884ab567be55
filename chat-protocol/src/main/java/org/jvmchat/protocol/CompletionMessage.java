package org.jvmchat.protocol;

import java.util.Map;

/**
 * Type 3: ends an invocation or a stream. Exactly one of three shapes: an error ({@code error}
 * non-null), a result ({@code hasResult}, the result itself may be null), or neither (a finished
 * stream, or a void completion from a client).
 */
public record CompletionMessage(
    Map<String, String> headers,
    String invocationId,
    String error,
    Object result,
    boolean hasResult)
    implements HubInvocationMessage {

  public CompletionMessage {
    headers = Messages.headers(headers);
    Messages.requireNonEmpty(invocationId, "invocationId");
    if (error != null && hasResult) {
      throw new IllegalArgumentException("A completion has either an error or a result, not both");
    }
    if (!hasResult && result != null) {
      throw new IllegalArgumentException("A result was given but hasResult is false");
    }
  }

  public static CompletionMessage withResult(String invocationId, Object result) {
    return new CompletionMessage(Map.of(), invocationId, null, result, true);
  }

  public static CompletionMessage withError(String invocationId, String error) {
    return new CompletionMessage(Map.of(), invocationId, error == null ? "" : error, null, false);
  }

  public static CompletionMessage empty(String invocationId) {
    return new CompletionMessage(Map.of(), invocationId, null, null, false);
  }
}
