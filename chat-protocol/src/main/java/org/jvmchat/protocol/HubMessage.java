package org.jvmchat.protocol;

/**
 * A SignalR hub message. Types 1–9 are the messages on the wire; {@link
 * InvocationBindingFailureMessage} and {@link StreamBindingFailureMessage} are produced by a parser
 * when a message was well-formed but its arguments could not be bound to the target's parameter
 * types: they fail one invocation, never the connection.
 */
public sealed interface HubMessage
    permits HubInvocationMessage,
        PingMessage,
        CloseMessage,
        AckMessage,
        SequenceMessage,
        InvocationBindingFailureMessage,
        StreamBindingFailureMessage {

  int TYPE_INVOCATION = 1;
  int TYPE_STREAM_ITEM = 2;
  int TYPE_COMPLETION = 3;
  int TYPE_STREAM_INVOCATION = 4;
  int TYPE_CANCEL_INVOCATION = 5;
  int TYPE_PING = 6;
  int TYPE_CLOSE = 7;
  int TYPE_ACK = 8;
  int TYPE_SEQUENCE = 9;
}
