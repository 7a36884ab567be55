/**
 * The transport-agnostic parts of a connection that the layers above share (internal; may change at
 * any time): the bounded outbound queue with the stateful-reconnect replay buffer and the Ack gate
 * ({@link org.jvmchat.hub.internal.connection.OutboundQueue}, which a transport drains), the
 * per-event-loop coalescing of drains and wake-ups ({@link
 * org.jvmchat.hub.internal.connection.WriteScheduler}), connection tokens and ids.
 *
 * <p>May depend on {@code internal.transport} and the SPI only.
 */
package org.jvmchat.hub.internal.connection;
