package org.jvmchat.hub.internal.hub;

import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.internal.HandshakeReader;
import org.jvmchat.protocol.internal.MessageBuffer;

/**
 * The inbound state of one connection, which its hub's {@link HubConnectionHandler} reads and
 * writes: the handshake reader until the handshake is done, then the protocol's message reader; for
 * a stateful connection, the inbound side of its message buffer; and what the keep-alive needs
 * (when the client last sent something, whether it pings).
 *
 * <p>Not thread-safe: touched on the connection's executor only.
 */
final class HubInbound {
  HandshakeReader<HandshakeRequest> handshake;
  HubMessageReader reader;
  MessageBuffer<byte[]> sequence; // stateful only: its inbound side
  long lastReceivedAt = System.nanoTime();
  boolean pingReceived;

  /** True while the reader is feeding: a completion routed meanwhile must not feed it again. */
  boolean feeding;

  /** Whether any of the client's bytes arrived yet (the first ones must start the handshake). */
  boolean anyReceived;

  HubInbound(int maxMessageSize) {
    this.handshake = HandshakeReader.forRequest(maxMessageSize);
  }

  /** Whether the handshake has completed. */
  boolean handshakeDone() {
    return reader != null;
  }

  /** The size of the message being routed (the invocation queue counts it). */
  int currentMessageSize() {
    return reader == null ? 0 : reader.lastMessageSize();
  }

  void pingReceived() {
    pingReceived = true;
  }

  void sequence(long sequenceId) {
    if (sequence != null) {
      sequence.sequence(sequenceId);
    }
  }

  /** The id to acknowledge, or -1 when nothing was processed since the last Ack. */
  long takeAck() {
    return sequence == null ? -1 : sequence.takeAck();
  }

  /** Whether the client pings and has been silent longer than {@code timeoutNanos}. */
  boolean timedOut(long now, long timeoutNanos) {
    return pingReceived && now - lastReceivedAt > timeoutNanos;
  }

  /** A stateful reconnect, or reading resumed: counts as hearing from the client. */
  void resumed() {
    lastReceivedAt = System.nanoTime();
  }
}
