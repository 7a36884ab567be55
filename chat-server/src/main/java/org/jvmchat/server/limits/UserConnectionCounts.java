package org.jvmchat.server.limits;

/**
 * Connections per user, as the connection cap counts them: open connections plus admissions in
 * flight (negotiated, not yet connected). Thread-safe.
 */
public interface UserConnectionCounts extends AutoCloseable {
  /** The user's count (on every instance, when shared). */
  int count(String userId);

  /**
   * Counts one more for the user if that keeps the count at most {@code max}, atomically (two
   * reservations at once never both take the last slot).
   *
   * @return -1 when counted, else the count that left no room
   */
  int reserve(String userId, int max);

  /** One more without a check (a connection this instance did not admit). */
  void connected(String userId);

  /** One less (a connection ended, or an admission was released). */
  void disconnected(String userId);

  @Override
  default void close() {}
}
