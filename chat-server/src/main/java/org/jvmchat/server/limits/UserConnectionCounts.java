package org.jvmchat.server.limits;

/** Open hub connections per user, as the connection cap counts them. Thread-safe. */
public interface UserConnectionCounts extends AutoCloseable {
  /** The user's open connections (on every instance, when shared). */
  int count(String userId);

  void connected(String userId);

  void disconnected(String userId);

  @Override
  default void close() {}
}
