package org.jvmchat.protocol;

import java.util.List;
import java.util.Map;

/**
 * Type 1: calls {@code target} on the other side. Without an invocation id it is non-blocking: the
 * receiver never answers. {@code streamIds} names the client-to-server streams that feed the
 * target's stream parameters (empty when there are none).
 */
public record InvocationMessage(
    Map<String, String> headers,
    String invocationId,
    String target,
    List<Object> arguments,
    List<String> streamIds)
    implements HubInvocationMessage {

  public InvocationMessage {
    headers = Messages.headers(headers);
    if (invocationId != null && invocationId.isEmpty()) {
      invocationId = null;
    }
    Messages.requireNonEmpty(target, "target");
    arguments = Messages.arguments(arguments);
    streamIds = Messages.streamIds(streamIds);
  }

  /** A non-blocking invocation (no id, no headers, no streams). */
  public static InvocationMessage send(String target, Object... arguments) {
    return new InvocationMessage(Map.of(), null, target, java.util.Arrays.asList(arguments), null);
  }

  /** A blocking invocation that the receiver answers with a {@link CompletionMessage}. */
  public static InvocationMessage invoke(String invocationId, String target, Object... arguments) {
    Messages.requireNonEmpty(invocationId, "invocationId");
    return new InvocationMessage(
        Map.of(), invocationId, target, java.util.Arrays.asList(arguments), null);
  }
}
