package org.jvmchat.hub.internal.host;

import java.nio.ByteBuffer;

/**
 * An accepted WebSocket as the host provides it. Sends are asynchronous; at most one is in flight
 * (the transport coalesces what is queued meanwhile into the next message).
 */
public interface HostWebSocket {
  /**
   * Sends one text (UTF-8 {@code bytes}) or binary message; {@code done} is called (any thread)
   * when it was written, with the failure or null.
   */
  void send(byte[] bytes, boolean binary, java.util.function.Consumer<Throwable> done);

  /** Closes with a status code and reason, after the send in flight (if any). */
  void close(int code, String reason);

  /** Stops reading the client's messages until {@link #resumeReading()}. */
  void pauseReading();

  /** Resumes reading; any thread. */
  void resumeReading();

  /** What the host tells the connection layer about the socket; called on the host's threads. */
  interface Listener {
    /**
     * A whole message from the client (its bytes; a text message's UTF-8). {@code taken} is called
     * (on the connection's executor) once the connection took the bytes in: at once, or when
     * reading resumes while the invocation queue is at its bound, or when the connection ends. A
     * host that delivers messages on its own threads bounds what it hands over and not yet taken
     * (the bytes hop onto the connection's executor), waiting for it before delivering more.
     */
    void onMessage(ByteBuffer bytes, Runnable taken);

    /**
     * The socket closed: {@code graceful} when the client sent a close frame (normal closure), else
     * dropped ({@code error} may say why).
     */
    void onClose(boolean graceful, Throwable error);
  }
}
