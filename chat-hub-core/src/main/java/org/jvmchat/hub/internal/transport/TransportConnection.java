package org.jvmchat.hub.internal.transport;

import java.nio.ByteBuffer;

/**
 * What a transport sees of the connection it carries: where the client's bytes and the transport's
 * events go. The transport takes what it sends from its {@link Outbound}, never from here.
 */
public interface TransportConnection {
  /**
   * Bytes from the client, in order; taken on the connection's executor (copied first when they
   * arrive on another thread).
   *
   * @return false when the connection has ended
   */
  boolean receive(ByteBuffer bytes);

  /**
   * {@link #receive(ByteBuffer)}, then {@code taken} once the bytes were taken in (at once, or when
   * reading resumes after the invocation queue's bound, or when the connection ends).
   */
  boolean receive(ByteBuffer bytes, Runnable taken);

  /** The transport ended: gracefully (a close handshake, or ours), or with {@code error}. */
  void transportClosed(Transport transport, boolean graceful, Throwable error);

  /** The socket became writable again (any thread): the connection schedules a drain. */
  void writable();

  /** Executor: drains the outbound queue into the transport now (a long poll arrived). */
  void drain();

  /** Executor (long polling): a poll arrived ({@code true}) or was answered or gone. */
  void setPollActive(boolean active);

  /**
   * Executor (long polling): whether the connection is ending after it was started, so that a poll
   * finding nothing left is answered 204 and the connection is forgotten ({@link #dispose()}).
   */
  boolean endedAfterStart();

  /** Executor (long polling): the last data went out and the client was told 204; forget it. */
  void dispose();
}
