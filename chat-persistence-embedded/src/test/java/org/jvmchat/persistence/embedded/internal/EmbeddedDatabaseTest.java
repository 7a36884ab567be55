package org.jvmchat.persistence.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.TestDatabases;

class EmbeddedDatabaseTest {
  @Test
  void runsDurablyOnLoopbackOnTheGivenPortInThePgSubdirectoryAndStopsOnClose() throws Exception {
    Path dir = Files.createTempDirectory("jvmchat-embedded");
    int port;
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      port = probe.getLocalPort();
    }
    try {
      try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, port, Duration.ofSeconds(60))) {
        assertThat(db.clusterDirectory()).isEqualTo(dir.toAbsolutePath().resolve("pg"));
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        assertThat(TestDatabases.postgresProcessesFor(db.clusterDirectory()))
            .contains(db.postmasterPid());
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", null);
            Statement s = c.createStatement()) {
          assertThat(show(s, "fsync")).isEqualTo("on");
          assertThat(show(s, "synchronous_commit")).isEqualTo("on");
          assertThat(show(s, "listen_addresses")).isEqualTo("127.0.0.1");
          assertThat(show(s, "server_encoding")).isEqualTo("UTF8");
        }
      }
      assertThat(TestDatabases.postgresProcessesFor(dir.resolve("pg"))).isEmpty();
    } finally {
      TestDatabases.deleteTree(dir);
    }
  }

  private static String show(Statement s, String setting) throws Exception {
    try (ResultSet rs = s.executeQuery("show " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
