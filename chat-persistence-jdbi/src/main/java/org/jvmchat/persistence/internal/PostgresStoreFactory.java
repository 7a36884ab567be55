package org.jvmchat.persistence.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.ServiceLoader;
import org.flywaydb.core.Flyway;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.EmbeddedDatabaseUnavailableException;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.StoreUnavailableException;
import org.jvmchat.persistence.spi.EmbeddedDatabaseProvider;
import org.jvmchat.persistence.spi.EmbeddedDatabaseProvider.RunningDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the PostgreSQL store: starts the embedded server (through an {@link
 * EmbeddedDatabaseProvider} found with {@link ServiceLoader}) or parses {@code DATABASE_URL}, waits
 * for the database (retrying with backoff up to the startup timeout), migrates the schema with
 * Flyway, then builds the pool and the store.
 */
public final class PostgresStoreFactory {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresStoreFactory.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private PostgresStoreFactory() {}

  /** See {@link org.jvmchat.persistence.ChatStores#open(StoreOptions)}. */
  public static ChatStore open(StoreOptions settings) {
    if (settings.embedded()) {
      RunningDatabase embedded =
          embeddedProvider()
              .start(settings.dataDirectory(), settings.embeddedPort(), settings.startupTimeout());
      try {
        return open(
            new DatabaseTarget(embedded.jdbcUrl(), embedded.user(), null, embedded.description()),
            settings,
            embedded);
      } catch (RuntimeException e) {
        embedded.close();
        throw e;
      }
    }
    return open(DatabaseTarget.parse(settings.databaseUrl()), settings, null);
  }

  /**
   * The first {@link EmbeddedDatabaseProvider} on the classpath (chat-persistence-embedded has
   * one).
   *
   * @throws EmbeddedDatabaseUnavailableException when there is none
   */
  static EmbeddedDatabaseProvider embeddedProvider() {
    return ServiceLoader.load(
            EmbeddedDatabaseProvider.class, PostgresStoreFactory.class.getClassLoader())
        .findFirst()
        .orElseThrow(
            () ->
                new EmbeddedDatabaseUnavailableException(
                    "no embedded PostgreSQL: DATABASE_URL is not set and"
                        + " org.jvmchat:chat-persistence-embedded is not on the classpath; set"
                        + " DATABASE_URL to a PostgreSQL server, or CHAT_STORE=memory to keep"
                        + " everything in memory"));
  }

  /** Opens the store on {@code target}; {@code onClose} (may be null) is closed with the store. */
  public static ChatStore open(
      DatabaseTarget target, StoreOptions settings, AutoCloseable onClose) {
    awaitDatabase(target, settings);
    HikariDataSource dataSource = new HikariDataSource(poolConfig(target, settings));
    try {
      migrate(dataSource, target, settings);
      return new JdbiChatStore(dataSource, target.description(), settings, onClose);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  static HikariConfig poolConfig(DatabaseTarget target, StoreOptions settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("jvmchat-store");
    config.setJdbcUrl(target.jdbcUrl());
    if (target.user() != null) {
      config.setUsername(target.user());
    }
    if (target.password() != null) {
      config.setPassword(target.password());
    }
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(Math.min(2, settings.poolSize()));
    config.setConnectionTimeout(settings.connectTimeout().toMillis());
    config.setValidationTimeout(
        Math.max(250, Math.min(5_000, settings.connectTimeout().toMillis() / 2)));
    // Start-up is checked by awaitDatabase; from then on the pool reconnects by itself.
    config.setInitializationFailTimeout(-1);
    driverProperties(settings).forEach((k, v) -> config.addDataSourceProperty((String) k, v));
    return config;
  }

  static Properties driverProperties(StoreOptions settings) {
    Properties props = new Properties();
    props.setProperty("ApplicationName", "jvmchat");
    props.setProperty(
        "connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    props.setProperty(
        "socketTimeout", Long.toString(Math.max(1, settings.socketTimeout().toSeconds())));
    props.setProperty("tcpKeepAlive", "true");
    // uuid[] (oid 2951) in binary, for UuidArray parameters (the driver's defaults leave it text)
    props.setProperty("binaryTransferEnable", "2951");
    if (settings.schema() != null) {
      props.setProperty("currentSchema", settings.schema());
    }
    return props;
  }

  /**
   * Connects once with the driver alone until it works. Connection failures (refused, timed out,
   * server starting up) are retried with exponential backoff until the startup timeout; other
   * failures (wrong password, unknown database) end it at once.
   */
  static void awaitDatabase(DatabaseTarget target, StoreOptions settings) {
    Properties props = driverProperties(settings);
    props.remove("currentSchema"); // may not exist before the migration creates it
    if (target.user() != null) {
      props.setProperty("user", target.user());
    }
    if (target.password() != null) {
      props.setProperty("password", target.password());
    }
    long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
    Duration backoff = FIRST_BACKOFF;
    int attempts = 0;
    while (true) {
      attempts++;
      try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props)) {
        if (attempts > 1) {
          LOG.info("PostgreSQL at {} answered after {} attempts", target, attempts);
        }
        return;
      } catch (SQLException e) {
        if (!StoreErrors.isConnectionFailure(e)) {
          throw new ChatStoreException(
              "cannot use PostgreSQL at " + target + ": " + StoreErrors.rootMessage(e), e);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new StoreUnavailableException(
              "PostgreSQL at "
                  + target
                  + " is unreachable (tried "
                  + attempts
                  + " times for "
                  + settings.startupTimeout().toSeconds()
                  + "s): "
                  + StoreErrors.rootMessage(e),
              e);
        }
        LOG.warn(
            "PostgreSQL at {} is unreachable ({}); retrying in {} ms",
            target,
            StoreErrors.rootMessage(e),
            backoff.toMillis());
        sleep(Math.min(backoff.toNanos(), left));
        backoff = backoff.multipliedBy(2);
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
          backoff = MAX_BACKOFF;
        }
      }
    }
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatStoreException("interrupted while waiting for PostgreSQL", e);
    }
  }

  static void migrate(HikariDataSource dataSource, DatabaseTarget target, StoreOptions settings) {
    try {
      var config =
          Flyway.configure()
              .dataSource(dataSource)
              .locations("classpath:db/migration")
              .table("jvmchat_schema_history");
      if (settings.schema() != null) {
        config.schemas(settings.schema()).defaultSchema(settings.schema());
      }
      var result = config.load().migrate();
      LOG.info(
          "chat store schema at {} is at version {} ({} migrations applied now)",
          target,
          result.targetSchemaVersion,
          result.migrationsExecuted);
    } catch (RuntimeException e) {
      throw StoreErrors.translate("migrating the chat store schema at " + target, e);
    }
  }
}
