package org.jvmchat.hub.internal.transport;

/**
 * The queue a transport drains: a connection's outbound messages, already serialized by its hub
 * protocol, in order. Polled on the connection's executor only.
 */
public interface Outbound {
  /**
   * The next message, or null when nothing is queued or (stateful reconnect) the next one waits for
   * the client's Ack.
   */
  byte[] poll();

  /** The format of the messages: binary frames for a binary hub protocol, text before and else. */
  boolean binary();
}
