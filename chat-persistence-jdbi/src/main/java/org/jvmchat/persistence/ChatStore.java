package org.jvmchat.persistence;

/**
 * Everything the chat server stores. Thread-safe. See the package documentation for which methods
 * block and which exceptions they raise.
 */
public interface ChatStore
    extends RoomStore, ParticipantStore, MessageStore, GroupMembershipStore, AutoCloseable {
  /**
   * Checks that the store answers (for {@code /health}). Blocking, bounded by the store's connect
   * timeout; never throws.
   */
  StoreHealth ping();

  /**
   * Reports commits (and binds the connection pool's metrics) to {@code observer}; call once,
   * before the store is used. The in-memory store has nothing to report.
   */
  default void observe(StoreObserver observer) {}

  /**
   * Stores the messages already accepted by {@link #append}, then releases every thread, connection
   * and (for the embedded store) the PostgreSQL process. Idempotent. Appends after close fail with
   * {@link ChatStoreException}.
   */
  @Override
  void close();
}
