package org.jvmchat.load.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code chat-load chaos}, short and bounded: two instances of the real chat server jar on the
 * machine's Redis ({@code REDIS_URL}) and PostgreSQL ({@code DATABASE_URL}), both reached through
 * the run's proxies, 7 clients (one of each transport, protocol and reconnect kind) in one room,
 * every fault once. Asserts that each fault was injected and that the figures that must be 0 are 0,
 * live-delivery misses in every window included (issue #26: the stream backplane and lastSeq).
 * Fails (never skips) when Redis or PostgreSQL does not answer.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ChaosIT {
  private static final Path LOGS = Path.of("target", "it-logs", "chaos").toAbsolutePath();

  @Test
  void everyFaultInjectedAndNothingAcknowledgedLost() throws Exception {
    ChaosOptions o =
        ChaosOptions.parse(
            "--instances", "2",
            "--clients", "7", // one of each kind
            "--rooms", "1",
            "--rate", "1",
            "--duration", "1", // as short as the faults allow
            "--warmup", "2",
            "--gap", "2",
            // the tail of a Redis outage (until the subscriptions are back, up to 5 s) may reach
            // into the next window: kill, an expected-loss window anyway (below)
            "--faults", "postgres,cut,slow,redis,kill,rolling",
            "--kill-down", "0.5s",
            "--redis-outage", "3s",
            "--postgres-outage", "3s",
            // above the server's 15 s keep-alive, so that only the held connections time out
            "--client-timeout", "18s",
            "--client-keepalive", "5s",
            "--hold", "19s",
            // nothing may be missed live in any window: the instances' default backplane is the
            // Redis stream (REDIS_BACKPLANE_REPLAY), which keeps what a Redis cut would lose, the
            // clients reconnect with lastSeq after a kill, and a commit whose answer was lost is
            // checked once the database is back
            "--expected-loss", "none",
            "--chat-jar",
                Path.of(
                        System.getProperty(
                            "chat.server.jar", "../chat-server/target/chat-server.jar"))
                    .toString(),
            "--server-jvm-opts", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
            "--logs", LOGS.toString());
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(new Tee(System.out, printed), true, StandardCharsets.UTF_8);
    Report r = Chaos.run(o, both);
    String table = printed.toString(StandardCharsets.UTF_8);

    // the schedule was printed, and every fault happened
    assertThat(table)
        .contains("fault schedule", "kill -9 instance 1", "Redis cut", "rolling restart");
    for (String fault : ChaosOptions.ALL_FAULTS) {
      assertThat(r.windows())
          .as("window of " + fault)
          .anySatisfy(
              w -> {
                assertThat(w.name).isEqualTo(fault);
                assertThat(w.injected).as(w.detail).isTrue();
              });
    }
    Report.Figures t = r.total();
    assertThat(t.acked).isPositive();
    assertThat(t.ackedNotStored).as("acknowledged but not stored").isZero();
    assertThat(t.missAfterRecovery).as("never delivered, even after recovery").isZero();
    assertThat(t.expectedDeliveries).isGreaterThan(t.acked);
    assertThat(t.sent).isEqualTo(t.acked + t.unacked);
    // outside the at-most-once faults nothing is lost live and nothing is shown twice
    for (int i = 0; i < r.windows().size(); i++) {
      Report.Window w = r.windows().get(i);
      if (!o.expectedLoss.contains(w.name)) {
        assertThat(r.figures(i).liveMiss).as("live misses in " + w.name).isZero();
        assertThat(r.figures(i).duplicates).as("duplicates in " + w.name).isZero();
      }
    }
    assertThat(r.failures()).isEmpty();
    assertThat(r.failed()).isFalse();

    JsonNode json = new ObjectMapper().readTree(r.toJson());
    assertThat(json.get("ok").asBoolean()).isTrue();
    assertThat(json.get("windows")).hasSize(1 + ChaosOptions.ALL_FAULTS.size());
    assertThat(json.get("total").get("ackedNotStored").asLong()).isZero();
    assertThat(json.get("instanceRssKb")).hasSize(2);
    assertThat(json.get("slowConsumerClosedByServer")).isNotNull();

    // the run's schema is gone
    String schema = "chaos_" + json.get("runId").asText();
    try (var c = DriverManager.getConnection(jdbcUrl(o.databaseUrl));
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "select count(*) from pg_namespace where nspname = '" + schema + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("schema " + schema + " dropped").isZero();
    }
  }

  @Test
  void badCommandLinesAreRefused() {
    for (List<String> bad :
        List.of(
            List.of("--faults", "flood"),
            List.of("--rate", "0"),
            List.of("--instances", "1", "--faults", "kill"),
            List.of("--client-keepalive", "30s", "--client-timeout", "10s"),
            List.of("--server-env", "NOEQUALS"))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ChaosOptions.parse(bad.toArray(String[]::new)))
          .as(String.join(" ", bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
    ChaosOptions o =
        ChaosOptions.parse("--faults", "none", "--hold", "1.5s", "--redis-outage", "500ms");
    assertThat(o.faults).isEmpty();
    assertThat(o.hold.toMillis()).isEqualTo(1500);
    assertThat(o.redisOutage.toMillis()).isEqualTo(500);
  }

  private static String jdbcUrl(String url) {
    // postgres://user[:pass]@host:port/db -> jdbc:postgresql://host:port/db?user=..
    java.net.URI u = java.net.URI.create(url.replaceFirst("^postgres(ql)?://", "http://"));
    String[] userInfo = (u.getUserInfo() == null ? "postgres" : u.getUserInfo()).split(":", 2);
    return "jdbc:postgresql://"
        + u.getHost()
        + ":"
        + (u.getPort() < 0 ? 5432 : u.getPort())
        + u.getPath()
        + "?user="
        + userInfo[0]
        + (userInfo.length > 1 ? "&password=" + userInfo[1] : "");
  }

  /** Copies what the run prints to the test's output and keeps it for the assertions. */
  private static final class Tee extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    Tee(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
