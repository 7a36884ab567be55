package org.jvmchat.protocol;

import java.util.Map;

/**
 * Message types 1–5: the only ones that carry headers and the only ones counted by stateful
 * reconnect.
 */
public sealed interface HubInvocationMessage extends HubMessage
    permits InvocationMessage,
        StreamInvocationMessage,
        StreamItemMessage,
        CompletionMessage,
        CancelInvocationMessage {

  /** Headers (never null, possibly empty). No header is defined by SignalR itself. */
  Map<String, String> headers();

  /** The invocation id, or {@code null} for a non-blocking invocation. */
  String invocationId();
}
