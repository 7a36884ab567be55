package org.jvmchat.protocol;

/** Type 8 (stateful reconnect): every trackable message up to {@code sequenceId} was received. */
public record AckMessage(long sequenceId) implements HubMessage {}
