package org.jvmchat.protocol;

import java.util.Map;

/** Type 5: asks the callee to stop a stream. */
public record CancelInvocationMessage(Map<String, String> headers, String invocationId)
    implements HubInvocationMessage {

  public CancelInvocationMessage {
    headers = Messages.headers(headers);
    Messages.requireNonEmpty(invocationId, "invocationId");
  }

  public static CancelInvocationMessage of(String invocationId) {
    return new CancelInvocationMessage(Map.of(), invocationId);
  }
}
