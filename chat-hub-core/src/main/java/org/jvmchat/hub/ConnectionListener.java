package org.jvmchat.hub;

/** Listener for connection events, e.g. for metrics. Methods default to nothing. */
public interface ConnectionListener {
  default void connected(String hubPath, String connectionId, String transport, String protocol) {}

  default void disconnected(
      String hubPath, String connectionId, String transport, String protocol) {}

  default void messageReceived(String hubPath, String protocol) {}

  default void messageSent(String hubPath, String protocol) {}

  /**
   * {@code count} hub messages were handed to transports. The server adds sends up and reports them
   * about once a second (and once with 0 when a protocol is first used), not once per message; the
   * default calls {@link #messageSent} {@code count} times.
   */
  default void messagesSent(String hubPath, String protocol, long count) {
    for (long i = 0; i < count; i++) {
      messageSent(hubPath, protocol);
    }
  }

  default void invocationCompleted(String hubPath, String method, long nanos, boolean failed) {}

  /**
   * A connection that {@link #connected} reported has ended; called right after {@link
   * #disconnected}, with what OpenTelemetry's SignalR conventions record about it.
   */
  default void connectionEnded(ConnectionEnded ended) {}

  /**
   * The heartbeat's sample of one open connection's outbound queue: {@code queuedBytes} waiting to
   * be written. Called about once a second per active connection, on its event loop: keep it to a
   * few atomic operations.
   */
  default void outboundQueueSampled(String hubPath, long queuedBytes) {}
}
