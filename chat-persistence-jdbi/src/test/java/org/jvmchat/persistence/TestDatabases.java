package org.jvmchat.persistence;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jvmchat.persistence.internal.DatabaseTarget;

/** Helpers for tests that use a real PostgreSQL. */
public final class TestDatabases {
  /** Where the external PostgreSQL is when {@code DATABASE_URL} is not set. */
  public static final String DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test";

  private TestDatabases() {}

  /** {@code DATABASE_URL}, or the local test database. */
  public static String databaseUrl() {
    String url = System.getenv("DATABASE_URL");
    return url == null || url.isBlank() ? DEFAULT_DATABASE_URL : url;
  }

  /** A schema name no other test run uses. */
  public static String freshSchemaName() {
    return "jvmchat_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  /** Settings for the external PostgreSQL with tables in a fresh schema, and short timeouts. */
  public static StoreOptions.Builder externalSettings() {
    return StoreOptions.builder()
        .databaseUrl(databaseUrl())
        .schema(freshSchemaName())
        .poolSize(4)
        .startupTimeout(java.time.Duration.ofSeconds(10));
  }

  /** The host and port of {@link #databaseUrl()}. */
  public static InetSocketAddress databaseAddress() {
    String jdbc = DatabaseTarget.parse(databaseUrl()).jdbcUrl();
    Matcher m = HOST_PORT.matcher(jdbc);
    if (!m.find()) {
      throw new IllegalStateException("no host:port in " + databaseUrl());
    }
    return InetSocketAddress.createUnresolved(
        m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)));
  }

  /** {@link #databaseUrl()} as a JDBC URL that connects through 127.0.0.1:{@code port}. */
  public static String databaseUrlVia(int port) {
    String jdbc = DatabaseTarget.parse(databaseUrl()).jdbcUrl();
    DatabaseTarget target = DatabaseTarget.parse(databaseUrl());
    String via = HOST_PORT.matcher(jdbc).replaceFirst("//127.0.0.1:" + port + "/");
    if (target.user() != null) {
      via += (via.contains("?") ? "&" : "?") + "user=" + target.user();
    }
    if (target.password() != null) {
      via += "&password=" + target.password();
    }
    return via;
  }

  private static final Pattern HOST_PORT = Pattern.compile("//([^/:?]+|\\[[^]]+\\])(?::(\\d+))?/");

  /** A plain connection to {@code url} (outside any store), with {@code schema} (may be null). */
  public static Connection connect(String url, String schema) throws SQLException {
    DatabaseTarget target = DatabaseTarget.parse(url);
    Properties props = new Properties();
    if (target.user() != null) {
      props.setProperty("user", target.user());
    }
    if (target.password() != null) {
      props.setProperty("password", target.password());
    }
    if (schema != null) {
      props.setProperty("currentSchema", schema);
    }
    return DriverManager.getConnection(target.jdbcUrl(), props);
  }

  /** Runs one SQL statement on {@code url} outside any store. */
  public static void execute(String url, String sql) throws SQLException {
    try (Connection c = connect(url, null);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Drops a schema made by {@link #externalSettings()}. */
  public static void dropSchema(String url, String schema) throws SQLException {
    if (schema != null && schema.startsWith("jvmchat_test_")) {
      execute(url, "drop schema if exists " + schema + " cascade");
    }
  }

  /** Live processes whose command line is a postgres with this data directory. */
  public static List<Long> postgresProcessesFor(Path clusterDirectory) throws IOException {
    String dir = clusterDirectory.toAbsolutePath().normalize().toString();
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs::iterator) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String[] args =
              new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                  .split("\0");
          if (args.length > 0 && args[0].endsWith("postgres") && List.of(args).contains(dir)) {
            pids.add(Long.parseLong(name));
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return pids;
  }

  /** Deletes a directory tree (test data directories). */
  public static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
