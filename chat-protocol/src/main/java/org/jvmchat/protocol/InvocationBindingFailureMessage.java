package org.jvmchat.protocol;

/**
 * Not on the wire: an Invocation or StreamInvocation that was well-formed but whose arguments could
 * not be bound to the target's parameters. The receiver fails that one invocation (when it has an
 * id) and keeps the connection.
 *
 * @param streaming true when the message was a StreamInvocation (type 4)
 * @param unknownTarget true when the binder knows no such target
 */
public record InvocationBindingFailureMessage(
    String invocationId, String target, boolean streaming, boolean unknownTarget, String reason)
    implements HubMessage {}
