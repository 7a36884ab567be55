package org.jvmchat.protocol;

import java.util.Map;

/** Type 2: one item of a stream ({@code item} may be null). */
public record StreamItemMessage(Map<String, String> headers, String invocationId, Object item)
    implements HubInvocationMessage {

  public StreamItemMessage {
    headers = Messages.headers(headers);
    Messages.requireNonEmpty(invocationId, "invocationId");
  }

  public static StreamItemMessage of(String invocationId, Object item) {
    return new StreamItemMessage(Map.of(), invocationId, item);
  }
}
