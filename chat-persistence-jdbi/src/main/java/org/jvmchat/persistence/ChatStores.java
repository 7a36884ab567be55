package org.jvmchat.persistence;

import org.jvmchat.persistence.internal.PostgresStoreFactory;

/** Opens chat stores. */
public final class ChatStores {
  private ChatStores() {}

  /**
   * Opens the PostgreSQL store described by {@code settings}: an external PostgreSQL when {@link
   * StoreOptions#databaseUrl()} is set, otherwise an embedded PostgreSQL whose data lives in {@link
   * StoreOptions#dataDirectory()}, started by the {@link
   * org.jvmchat.persistence.spi.EmbeddedDatabaseProvider} on the classpath ({@code
   * org.jvmchat:chat-persistence-embedded}; without one this throws {@link
   * EmbeddedDatabaseUnavailableException}, as it does on a platform the provider has no binary
   * for). The schema is created or migrated (Flyway) before this returns. Blocking (seconds): call
   * it at start-up.
   *
   * <p>An unreachable database is retried with exponential backoff (250 ms doubling up to 2 s)
   * until {@link StoreOptions#startupTimeout()}; then this throws {@link StoreUnavailableException}
   * naming host, port and database (never the password). The caller decides whether to exit. Other
   * failures (wrong password, unknown database, a data directory in use by another process) throw
   * {@link ChatStoreException} at once.
   *
   * <p>Once open, a lost database does not need a restart: operations fail with {@link
   * StoreUnavailableException} while it is gone and succeed again when it is back.
   */
  public static ChatStore open(StoreOptions settings) {
    if (settings.inMemory()) {
      return new InMemoryChatStore(java.time.Clock.systemUTC(), settings.memoryMessagesPerRoom());
    }
    return PostgresStoreFactory.open(settings);
  }

  /**
   * Opens the store configured by the process environment ({@link StoreOptions#fromEnvironment()}).
   */
  public static ChatStore fromEnvironment() {
    return open(StoreOptions.fromEnvironment());
  }

  /**
   * A new, empty {@link InMemoryChatStore} keeping the newest {@value
   * InMemoryChatStore#DEFAULT_MESSAGES_PER_ROOM} messages per room.
   */
  public static ChatStore inMemory() {
    return new InMemoryChatStore();
  }
}
