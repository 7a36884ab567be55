package org.jvmchat.persistence.spi;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Starts the PostgreSQL that {@link org.jvmchat.persistence.ChatStores#open} uses when the settings
 * name no external database ({@link org.jvmchat.persistence.StoreOptions#embedded()}). The store
 * library ships none: it finds the first implementation with {@link java.util.ServiceLoader}, and
 * {@code org.jvmchat:chat-persistence-embedded} provides one. Without any, opening an embedded
 * store fails with {@link org.jvmchat.persistence.EmbeddedDatabaseUnavailableException}.
 */
public interface EmbeddedDatabaseProvider {
  /**
   * Starts (and on first use initialises) a PostgreSQL whose data lives under {@code
   * dataDirectory}. Blocking (seconds).
   *
   * @param dataDirectory where the data lives; it survives restarts
   * @param port the port on 127.0.0.1, or 0 for a free one
   * @param startupWait how long to wait for the server to accept connections
   * @return the running server; the store closes it when the store is closed
   * @throws org.jvmchat.persistence.EmbeddedDatabaseUnavailableException when this platform has no
   *     PostgreSQL binary
   * @throws org.jvmchat.persistence.ChatStoreException with a readable message when it cannot start
   */
  RunningDatabase start(Path dataDirectory, int port, Duration startupWait);

  /** A PostgreSQL started by an {@link EmbeddedDatabaseProvider}. */
  interface RunningDatabase extends AutoCloseable {
    /**
     * Where to connect.
     *
     * @return a {@code jdbc:postgresql://} URL
     */
    String jdbcUrl();

    /**
     * Who to connect as (no password).
     *
     * @return the user name
     */
    String user();

    /**
     * For logs and errors: host, port, database and data directory, never a secret.
     *
     * @return a one-line description
     */
    String description();

    /** Stops the server and waits for it to exit. Idempotent. */
    @Override
    void close();
  }
}
