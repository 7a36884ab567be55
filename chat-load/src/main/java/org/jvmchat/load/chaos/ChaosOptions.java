package org.jvmchat.load.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The command line of {@code chat-load chaos}; see {@link #USAGE}. */
final class ChaosOptions {
  /**
   * Every fault, in the default order: those that move clients between instances (kill, rolling)
   * last, so that the others find the clients spread over every instance.
   */
  static final List<String> ALL_FAULTS =
      List.of("redis", "postgres", "cut", "slow", "kill", "rolling");

  static final String USAGE =
      """
      usage: chat-load chaos [options]
        Starts --instances chat servers (the chat-server jar) on Redis and PostgreSQL, each reached
        through a proxy the run controls, behind a round-robin TCP proxy; runs --clients users of the
        Java client (WebSockets json/messagepack with and without stateful reconnect, SSE, long
        polling json/messagepack) in --rooms rooms, each sending --rate messages/s; injects the
        faults one after the other on the schedule it prints; then recovers every room's history and
        prints, per fault window and in total, a table and one JSON line.
        --instances N          chat server instances (default 3)
        --clients N            clients, one connection and one room each (default 42)
        --rooms M              rooms (default 6)
        --rate R               SendMessage per second per client (default 1)
        --duration S           seconds of sending; stretched when the faults need longer (default 120)
        --warmup S             seconds of steady traffic before the first fault (default 10)
        --gap S                least steady seconds after each fault before the next (default 5)
        --faults LIST          any of redis,postgres,cut,slow,kill,rolling, in the order given, or
                               none (default all, in this order: the faults that move clients
                               between instances last)
        --kill-down S          kill: seconds between kill -9 and the restart (default 3)
        --redis-outage S       redis: seconds Redis is cut (default 10)
        --postgres-outage S    postgres: seconds PostgreSQL is cut (default 10)
        --cut-fraction F       cut: share of the client connections reset, and again held (default 0.25)
        --hold S               cut: seconds the held connections stay silent (default: client timeout + 5)
        --client-timeout S     the clients' server timeout (default 30)
        --client-keepalive S   the clients' keep-alive interval (default 15)
        --client-http-timeout S  the clients' HTTP timeout, long polls included (default 40)
        --window N             most SendMessage outstanding per client; more are skipped, counted (default 32)
        --expected-loss LIST   faults whose live-delivery misses and duplicates are reported but do
                               not fail the run (default kill,redis: pub/sub between instances is at
                               most once)
        --strict               every figure that must be 0 fails the run, in every window
        --redis-url URL        the Redis to use (default $REDIS_URL or redis://127.0.0.1:6379)
        --database-url URL     the PostgreSQL to use, postgres://user[:pass]@host:port/db (default
                               $DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres); the run
                               uses a schema of its own (DB_SCHEMA) and drops it at the end
        --keep-schema          do not drop the schema
        --chat-jar PATH        the chat server jar (default chat-server/target/chat-server.jar,
                               looked up from the working directory upwards)
        --server-jvm-opts "…"  JVM options of each instance (default "-Xmx256m")
        --server-env K=V       an environment variable for every instance (repeatable), e.g. a
                               backplane mode
        --logs DIR             instance logs (default target/chaos-logs/<run id>)
        --json                 print only the JSON line
      Exit status: 0 when every must-be-0 figure is 0 and every fault was injected, 1 otherwise,
      2 for a bad command line.
      """;

  int instances = 3;
  int clients = 42;
  int rooms = 6;
  double rate = 1;
  Duration duration = Duration.ofSeconds(120);
  Duration warmup = Duration.ofSeconds(10);
  Duration gap = Duration.ofSeconds(5);
  List<String> faults = new ArrayList<>(ALL_FAULTS);
  Duration killDown = Duration.ofSeconds(3);
  Duration redisOutage = Duration.ofSeconds(10);
  Duration postgresOutage = Duration.ofSeconds(10);
  double cutFraction = 0.25;
  Duration hold;
  Duration clientTimeout = Duration.ofSeconds(30);
  Duration clientKeepAlive = Duration.ofSeconds(15);
  Duration clientHttpTimeout = Duration.ofSeconds(40);
  int window = 32;
  Set<String> expectedLoss = new LinkedHashSet<>(List.of("kill", "redis"));
  boolean strict;
  String redisUrl = envOr("REDIS_URL", "redis://127.0.0.1:6379");
  String databaseUrl = envOr("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres");
  boolean keepSchema;
  Path chatJar;
  List<String> serverJvmOpts = List.of("-Xmx256m");
  Map<String, String> serverEnv = new LinkedHashMap<>();
  Path logs;
  boolean json;

  static ChaosOptions parse(String... args) {
    ChaosOptions o = new ChaosOptions();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--strict")) {
        o.strict = true;
        continue;
      }
      if (a.equals("--keep-schema")) {
        o.keepSchema = true;
        continue;
      }
      if (a.equals("--json")) {
        o.json = true;
        continue;
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, got '" + a + "'");
      }
      String v = args[++i];
      switch (a) {
        case "--instances" -> o.instances = positive(a, v);
        case "--clients" -> o.clients = positive(a, v);
        case "--rooms" -> o.rooms = positive(a, v);
        case "--rate" -> {
          o.rate = Double.parseDouble(v);
          if (!(o.rate > 0 && o.rate <= 1000)) {
            throw new IllegalArgumentException("--rate must be in (0, 1000]");
          }
        }
        case "--duration" -> o.duration = duration(a, v);
        case "--warmup" -> o.warmup = duration(a, v);
        case "--gap" -> o.gap = duration(a, v);
        case "--faults" -> o.faults = list(a, v, true);
        case "--kill-down" -> o.killDown = duration(a, v);
        case "--redis-outage" -> o.redisOutage = duration(a, v);
        case "--postgres-outage" -> o.postgresOutage = duration(a, v);
        case "--cut-fraction" -> {
          o.cutFraction = Double.parseDouble(v);
          if (!(o.cutFraction > 0 && o.cutFraction <= 1)) {
            throw new IllegalArgumentException("--cut-fraction must be in (0, 1]");
          }
        }
        case "--hold" -> o.hold = duration(a, v);
        case "--client-timeout" -> o.clientTimeout = duration(a, v);
        case "--client-keepalive" -> o.clientKeepAlive = duration(a, v);
        case "--client-http-timeout" -> o.clientHttpTimeout = duration(a, v);
        case "--window" -> o.window = positive(a, v);
        case "--expected-loss" -> o.expectedLoss = new LinkedHashSet<>(list(a, v, true));
        case "--redis-url" -> o.redisUrl = v;
        case "--database-url" -> o.databaseUrl = v;
        case "--chat-jar" -> o.chatJar = Path.of(v);
        case "--server-jvm-opts" -> o.serverJvmOpts = List.of(v.trim().split("\\s+"));
        case "--server-env" -> {
          int eq = v.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--server-env wants KEY=VALUE, got '" + v + "'");
          }
          o.serverEnv.put(v.substring(0, eq), v.substring(eq + 1));
        }
        case "--logs" -> o.logs = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (o.hold == null) {
      o.hold = o.clientTimeout.plusSeconds(5);
    }
    if (o.clientKeepAlive.compareTo(o.clientTimeout) >= 0) {
      throw new IllegalArgumentException(
          "--client-keepalive must be shorter than --client-timeout");
    }
    if (o.faults.contains("rolling") || o.faults.contains("kill")) {
      if (o.instances < 2) {
        throw new IllegalArgumentException("kill and rolling need at least 2 instances");
      }
    }
    return o;
  }

  private static List<String> list(String option, String v, boolean faultNames) {
    List<String> out = new ArrayList<>();
    if (v.isBlank() || v.equals("none")) {
      return out;
    }
    for (String s : v.split(",")) {
      String f = s.trim().toLowerCase(Locale.ROOT);
      if (faultNames && !ALL_FAULTS.contains(f)) {
        throw new IllegalArgumentException(
            option + ": unknown fault '" + f + "' (" + String.join(",", ALL_FAULTS) + ")");
      }
      if (!out.contains(f)) {
        out.add(f);
      }
    }
    return out;
  }

  private static int positive(String option, String v) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " wants a number, got '" + v + "'");
    }
    if (n <= 0) {
      throw new IllegalArgumentException(option + " must be positive");
    }
    return n;
  }

  /** {@code 10}, {@code 10s}, {@code 500ms}, {@code 2m}. */
  static Duration duration(String option, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        d =
            Duration.ofMillis(
                Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
      } else if (s.endsWith("m")) {
        d = Duration.ofSeconds(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60));
      } else {
        d = Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException(option + " must not be negative");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " wants a duration (10s, 500ms, 2m), got '" + v + "'");
    }
  }

  private static String envOr(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }
}
