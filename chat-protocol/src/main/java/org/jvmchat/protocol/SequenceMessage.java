package org.jvmchat.protocol;

/** Type 9 (stateful reconnect): the next trackable message that follows has this id. */
public record SequenceMessage(long sequenceId) implements HubMessage {}
