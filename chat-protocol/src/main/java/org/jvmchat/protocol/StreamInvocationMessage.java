package org.jvmchat.protocol;

import java.util.List;
import java.util.Map;

/** Type 4: starts a server-to-client stream answered by StreamItems and one Completion. */
public record StreamInvocationMessage(
    Map<String, String> headers,
    String invocationId,
    String target,
    List<Object> arguments,
    List<String> streamIds)
    implements HubInvocationMessage {

  public StreamInvocationMessage {
    headers = Messages.headers(headers);
    Messages.requireNonEmpty(invocationId, "invocationId");
    Messages.requireNonEmpty(target, "target");
    arguments = Messages.arguments(arguments);
    streamIds = Messages.streamIds(streamIds);
  }

  public static StreamInvocationMessage of(
      String invocationId, String target, Object... arguments) {
    return new StreamInvocationMessage(
        Map.of(), invocationId, target, java.util.Arrays.asList(arguments), null);
  }
}
