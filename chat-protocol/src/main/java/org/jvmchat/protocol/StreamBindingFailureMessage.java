package org.jvmchat.protocol;

/**
 * Not on the wire: a StreamItem whose item could not be bound to the stream's item type. The
 * receiver fails that stream only.
 */
public record StreamBindingFailureMessage(String invocationId, String reason)
    implements HubMessage {}
