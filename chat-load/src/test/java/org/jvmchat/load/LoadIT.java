package org.jvmchat.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jvmchat.load.ceiling.CeilingServer;
import org.jvmchat.load.internal.ServerProcess;

/**
 * The three scenarios, tiny, against the ceiling (in this JVM), the socket.io peer (a node child
 * process) and the real chat server jar (through {@code compare}). Asserts correctness only: no
 * loss, no duplicates, every delivery accounted for, latencies measured. Never timing.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class LoadIT {
  private static final Path LOGS = Path.of("target", "it-logs").toAbsolutePath();
  private static CeilingServer ceiling;
  private static ServerProcess socketIo;

  @BeforeAll
  static void start() throws Exception {
    ceiling = CeilingServer.start(0);
    socketIo = ServerProcess.start(Kind.SOCKETIO, launch(), "it-socketio");
  }

  @AfterAll
  static void stop() {
    if (socketIo != null) {
      socketIo.close();
    }
    if (ceiling != null) {
      ceiling.close();
    }
  }

  static ServerProcess.Launch launch() {
    return new ServerProcess.Launch(
        List.of("-Xmx512m"),
        System.getProperty("java.class.path"),
        Path.of(System.getProperty("chat.server.jar", "../chat-server/target/chat-server.jar"))
            .toAbsolutePath(),
        System.getProperty("node.executable", "node"),
        Path.of("src/main/node/socketio-chat-server.mjs").toAbsolutePath(),
        LOGS);
  }

  @Test
  void ceilingFanoutEchoConnections() throws Exception {
    runAll("ceiling", "http://127.0.0.1:" + ceiling.port(), ProcessHandle.current().pid());
  }

  /** The MessagePack wire (and a mixed room) on the ceiling: same accounting, binary frames. */
  @Test
  void ceilingFanoutAndEchoInMessagePackAndMixed() throws Exception {
    for (String protocol : List.of("messagepack", "mixed")) {
      Result fanout =
          LoadTool.run(
              Options.parse(
                  "fanout",
                  "--url",
                  "http://127.0.0.1:" + ceiling.port(),
                  "--kind",
                  "ceiling",
                  "--protocol",
                  protocol,
                  "--receivers",
                  "20",
                  "--rate",
                  "200",
                  "--duration",
                  "2",
                  "--warmup",
                  "1"));
      assertClean(fanout);
      assertThat(fanout.get("protocol")).isEqualTo(protocol);
      assertThat(fanout.number("expectedDeliveries")).isEqualTo(fanout.number("sent") * 20);
    }
    Result echo =
        LoadTool.run(
            Options.parse(
                "echo",
                "--url",
                "http://127.0.0.1:" + ceiling.port(),
                "--kind",
                "ceiling",
                "--protocol",
                "messagepack",
                "--connections",
                "5",
                "--duration",
                "2",
                "--warmup",
                "1"));
    assertClean(echo);
    assertThat(echo.number("roundTripsPerSec")).isPositive();
  }

  @Test
  void socketIoFanoutEchoConnections() throws Exception {
    runAll("socketio", socketIo.url(), socketIo.pid());
  }

  @Test
  void compareAgainstTheChatServerJar() {
    Path jar = launch().chatJar();
    assertThat(jar).as("chat-server jar (build chat-server first)").isRegularFile();
    Options o =
        Options.parse(
            "compare",
            "--scenarios",
            "echo,fanout",
            "--targets",
            "chat",
            "--protocols",
            "json,messagepack",
            "--connections",
            "3",
            "--receivers",
            "10",
            "--rate",
            "20",
            "--duration",
            "2",
            "--warmup",
            "1",
            "--chat-jar",
            jar.toString(),
            "--logs",
            LOGS.toString(),
            "--server-jvm-opts",
            "-Xmx512m -XX:+UseSerialGC");
    Compare.Outcome out = Compare.run(o, System.out);
    Result echo = out.get("echo", "chat");
    assertThat(echo.error()).isNull();
    assertClean(echo);
    assertThat(echo.number("roundTripsPerSec")).isPositive();
    assertThat(echo.number("serverCpuUsPerRoundTrip")).isNotNull();
    // compare names the chat server's embedded PostgreSQL: its share is part of the server's CPU
    assertThat(echo.number("databaseCpuUsPerRoundTrip"))
        .isNotNull()
        .satisfies(
            db ->
                assertThat(db.doubleValue())
                    .isBetween(0.0, echo.number("serverCpuUsPerRoundTrip").doubleValue()));
    Result fanout = out.get("fanout", "chat");
    assertThat(fanout.error()).isNull();
    assertClean(fanout);
    assertThat(fanout.number("expectedDeliveries")).isEqualTo(fanout.number("sent") * 10);
    for (String scenario : List.of("echo", "fanout")) {
      Result mp = out.get(scenario, "chat-msgpack");
      assertClean(mp);
      assertThat(mp.get("protocol")).isEqualTo("messagepack");
    }
    assertThat(Compare.table(out))
        .contains("echo roundTripsPerSec", "fanout deliveriesPerSec", "chat-msgpack/chat");
    assertThat(Compare.json(out)).startsWith("{").contains("\"ok\":true");
    assertThat(out.bad()).isFalse();
    // the server was stopped and its data directory deleted
    assertThat(LOGS.resolve("chat-echo.log")).isRegularFile();
  }

  /**
   * The chat server on the machine's Redis ({@code REDIS_URL}, default {@code
   * redis://127.0.0.1:6379}; compare picks a database of its own): fanout on one instance and on
   * two sharing one database (the receivers on both, so half the deliveries cross Redis), echo on
   * one, each next to the in-process run. Every message reaches every receiver once.
   */
  @Test
  @Timeout(value = 400, unit = TimeUnit.SECONDS)
  void compareOnTheRedisBackplane() {
    Path jar = launch().chatJar();
    assertThat(jar).as("chat-server jar (build chat-server first)").isRegularFile();
    String redis = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
    Options o =
        Options.parse(
            "compare",
            "--scenarios",
            "fanout,echo",
            "--targets",
            "chat",
            "--protocols",
            "json",
            "--redis",
            redis.replaceAll("/\\d+$", ""),
            "--connections",
            "3",
            "--receivers",
            "10",
            "--rate",
            "20",
            "--duration",
            "2",
            "--warmup",
            "1",
            "--chat-jar",
            jar.toString(),
            "--logs",
            LOGS.toString(),
            "--server-jvm-opts",
            "-Xmx512m -XX:+UseSerialGC");
    Compare.Outcome out = Compare.run(o, System.out);
    for (String column : List.of("chat", "chat-redis", "chat-redis2")) {
      Result fanout = out.get("fanout", column);
      assertThat(fanout).as(column).isNotNull();
      assertClean(fanout);
      assertThat(fanout.number("sent")).as(column + " sent").isPositive();
      assertThat(fanout.number("expectedDeliveries")).isEqualTo(fanout.number("sent") * 10);
      assertThat(fanout.number("serverCpuUsPerDelivery")).as(column + " CPU").isNotNull();
    }
    Result echo = out.get("echo", "chat-redis");
    assertClean(echo);
    assertThat(echo.number("roundTripsPerSec")).isPositive();
    assertThat(out.results().get("echo")).doesNotContainKey("chat-redis2");
    assertThat(Compare.table(out)).contains("chat-redis2/chat", "chat-redis/chat");
    assertThat(out.bad()).isFalse();
    assertThat(LOGS.resolve("chat-redis2-fanout-2.log")).isRegularFile();
  }

  /**
   * The embedded PostgreSQL's postmaster is detached from the chat server (pg_ctl starts it), so
   * its CPU would be missed by a walk of the server's descendants: the load tool names it.
   */
  @Test
  void theChatServersCpuIncludesItsEmbeddedDatabase() throws Exception {
    try (ServerProcess chat = ServerProcess.start(Kind.CHAT, launch(), "it-chat-pids")) {
      List<Long> pids = chat.cpuPids();
      assertThat(pids).hasSize(2).startsWith(chat.pid());
      ProcessHandle postmaster = ProcessHandle.of(pids.get(1)).orElseThrow();
      assertThat(postmaster.info().command())
          .hasValueSatisfying(c -> assertThat(c).endsWith("postgres"));
      assertThat(ProcessHandle.of(chat.pid()).orElseThrow().descendants())
          .doesNotContain(postmaster);
    }
  }

  private static void runAll(String kind, String url, long pid) throws Exception {
    Result fanout =
        LoadTool.run(
            Options.parse(
                "fanout",
                "--url",
                url,
                "--kind",
                kind,
                "--receivers",
                "20",
                "--rate",
                "200",
                "--duration",
                "2",
                "--warmup",
                "1",
                "--pid",
                "" + pid));
    assertClean(fanout);
    assertThat(fanout.number("sent")).isPositive();
    assertThat(fanout.number("expectedDeliveries")).isEqualTo(fanout.number("sent") * 20);
    assertThat(fanout.number("deliveriesPerSec")).isPositive();
    assertThat(fanout.number("serverCpuUsPerDelivery")).isNotNull();

    Result echo =
        LoadTool.run(
            Options.parse(
                "echo",
                "--url",
                url,
                "--kind",
                kind,
                "--connections",
                "5",
                "--duration",
                "2",
                "--warmup",
                "1"));
    assertClean(echo);
    assertThat(echo.number("roundTripsPerSec")).isPositive();

    Result conns =
        LoadTool.run(
            Options.parse(
                "connections",
                "--url",
                url,
                "--kind",
                kind,
                "--count",
                "50",
                "--concurrency",
                "10",
                "--hold",
                "1",
                "--warmup-count",
                "20",
                "--pid",
                "" + pid));
    assertThat(conns.error()).isNull();
    assertThat(conns.number("connections")).isEqualTo(50.0);
    assertThat(conns.number("warmupConnections")).isEqualTo(20.0);
    assertThat(conns.number("failedConnections")).isZero();
    assertThat(conns.number("connectsPerSec")).isPositive();
    assertThat(conns.number("rssPerConnectionKb")).isNotNull();
    // after a warm-up, also the growth from the second baseline (taken once it closed)
    assertThat(conns.number("warmRssPerConnectionKb")).isNotNull();
    boolean jvm = !kind.equals("socketio");
    assertThat(conns.number("heapPerConnectionKb") != null).isEqualTo(jvm);
    assertThat(conns.number("warmHeapPerConnectionKb") != null).isEqualTo(jvm);
    assertThat(Files.isDirectory(LOGS) || !kind.equals("socketio")).isTrue();
  }

  private static void assertClean(Result r) {
    assertThat(r.error()).as("error").isNull();
    assertThat(r.lost()).as("lost").isZero();
    assertThat(r.duplicated()).as("duplicated").isZero();
    assertThat(r.number("errors")).as("invocation errors").isZero();
    assertThat(r.number("delivered")).as("delivered").isEqualTo(r.number("expectedDeliveries"));
    assertThat(r.number("p50Ms")).isNotNull();
    assertThat(r.number("p99Ms")).isNotNull();
    assertThat(r.number("p999Ms")).isNotNull();
  }
}
