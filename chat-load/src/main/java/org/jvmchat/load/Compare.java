package org.jvmchat.load;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jvmchat.load.internal.ServerProcess;

/**
 * {@code compare}: for every scenario and every target, starts a fresh server process, runs the
 * scenario against it, stops it; then prints one table (targets side by side, and the chat server's
 * ratios to the ceiling and to socket.io) and one JSON line with everything.
 */
public final class Compare {
  private static final Map<String, List<String>> METRICS =
      Map.of(
          "fanout",
          List.of(
              "deliveriesPerSec",
              "p50Ms",
              "p99Ms",
              "p999Ms",
              "maxMs",
              "lost",
              "duplicated",
              "serverCpuUsPerDelivery",
              "databaseCpuUsPerDelivery",
              "serverCpuPercent",
              "serverRssMb"),
          "echo",
          List.of(
              "roundTripsPerSec",
              "p50Ms",
              "p99Ms",
              "p999Ms",
              "maxMs",
              "lost",
              "duplicated",
              "serverCpuUsPerRoundTrip",
              "databaseCpuUsPerRoundTrip",
              "serverCpuPercent"),
          "connections",
          List.of(
              "connectsPerSec",
              "failedConnections",
              "serverCpuUsPerConnect",
              "databaseCpuUsPerConnect",
              "rssPerConnectionKb",
              "heapPerConnectionKb",
              "warmRssPerConnectionKb",
              "warmHeapPerConnectionKb",
              "serverRssMb"));

  private Compare() {}

  /** Every result, by scenario and then by target. */
  public record Outcome(
      List<String> scenarios, List<String> targets, Map<String, Map<String, Result>> results) {
    public boolean bad() {
      return results.values().stream().flatMap(m -> m.values().stream()).anyMatch(Result::bad);
    }

    public Result get(String scenario, String target) {
      return results.get(scenario).get(target);
    }
  }

  static int main(Options o, PrintStream out) {
    Outcome outcome = run(o, System.err);
    if (!o.json()) {
      out.print(table(outcome));
    }
    out.println(json(outcome));
    return outcome.bad() ? 1 : 0;
  }

  /** Runs everything; progress (each run's table) goes to {@code progress}. */
  public static Outcome run(Options o, PrintStream progress) {
    List<String> scenarios = o.list("scenarios");
    List<String> targets = o.list("targets");
    for (String s : scenarios) {
      if (!METRICS.containsKey(s)) {
        throw new IllegalArgumentException(
            "unknown scenario '" + s + "' (fanout, echo, connections)");
      }
    }
    targets.forEach(Kind::parse);
    Path root = repoRoot();
    ServerProcess.Launch launch =
        new ServerProcess.Launch(
            Arrays.stream(o.get("server-jvm-opts").trim().split("\\s+"))
                .filter(s -> !s.isEmpty())
                .toList(),
            System.getProperty("java.class.path"),
            resolve(root, o.get("chat-jar")),
            o.get("node"),
            resolve(root, o.get("socketio-script")),
            resolve(root, o.get("logs")));
    List<Protocol> protocols = o.list("protocols").stream().map(Protocol::parse).toList();
    String redis = redisUrl(o.get("redis"));
    List<Integer> redisInstances = redisInstances(o);
    List<String> columns = new ArrayList<>();
    Map<String, Map<String, Result>> results = new LinkedHashMap<>();
    for (String scenario : scenarios) {
      Map<String, Result> row = new LinkedHashMap<>();
      results.put(scenario, row);
      for (String t : targets) {
        Kind kind = Kind.parse(t);
        for (Protocol protocol : protocolsFor(scenario, kind, protocols)) {
          String column = column(kind, protocol);
          if (!columns.contains(column)) {
            columns.add(column);
          }
          progress.println("== " + scenario + " on " + column);
          Result r;
          try (ServerProcess server = ServerProcess.start(kind, launch, column + "-" + scenario)) {
            Options so =
                o.withCommand(scenario)
                    .with("url", server.url())
                    .with("kind", kind.id())
                    .with("protocol", protocol.id())
                    .with(
                        "pid",
                        server.cpuPids().stream()
                            .map(String::valueOf)
                            .collect(Collectors.joining(",")));
            r = LoadTool.run(so);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r = Result.failed(scenario, kind, "interrupted").put("protocol", protocol.id());
          } catch (Exception e) {
            r =
                Result.failed(scenario, kind, String.valueOf(e.getMessage()))
                    .put("protocol", protocol.id());
          }
          progress.print(r.toTable());
          row.put(column, r);
        }
      }
      if (redis != null && targets.contains("chat")) {
        for (int n : redisInstances) {
          if (!redisScenario(scenario, n)) {
            continue;
          }
          String column = redisColumn(n);
          if (!columns.contains(column)) {
            columns.add(column);
          }
          progress.println("== " + scenario + " on " + column + " (" + redis + ")");
          Result r = onRedis(o, scenario, launch, redis, n, column);
          progress.print(r.toTable());
          row.put(column, r);
        }
      }
    }
    return new Outcome(scenarios, columns, results);
  }

  /** The scenarios run on Redis: fanout on one and on two instances, echo on one. */
  static boolean redisScenario(String scenario, int instances) {
    return scenario.equals("fanout") || (scenario.equals("echo") && instances == 1);
  }

  /** {@code chat-redis} for one instance, {@code chat-redis2} for two. */
  static String redisColumn(int instances) {
    return instances == 1 ? "chat-redis" : "chat-redis" + instances;
  }

  /**
   * {@code --redis}: null for off; a URL without a database number gets one of 1..15 at random, so
   * that runs sharing a Redis do not share the chat server's fixed keys ({@code jvmchat:…}).
   */
  static String redisUrl(String option) {
    if (option == null || option.isBlank() || option.equals("off")) {
      return null;
    }
    java.net.URI u = java.net.URI.create(option.trim());
    if (!"redis".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("--redis must be redis://host:port[/db] or off");
    }
    String path = u.getPath();
    if (path != null && path.matches("/\\d+")) {
      return option.trim();
    }
    int db = 1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(15);
    return option.trim().replaceAll("/+$", "") + "/" + db;
  }

  static List<Integer> redisInstances(Options o) {
    List<Integer> out = new ArrayList<>();
    for (String v : o.list("redis-instances")) {
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n != 1 && n != 2) {
        throw new IllegalArgumentException("--redis-instances takes 1 and/or 2, not '" + v + "'");
      }
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * One scenario on {@code instances} chat servers on the Redis backplane, in JSON: the first with
   * its embedded PostgreSQL, the others on that same database ({@code DATABASE_URL}, as chaos's
   * instances share one), all with one {@code JWT_SECRET} (a token of one is good on the others)
   * and {@code CHAT_INSTANCE_ID}s of their own. CPU is that of every instance and the database.
   */
  private static Result onRedis(
      Options o,
      String scenario,
      ServerProcess.Launch launch,
      String redis,
      int instances,
      String column) {
    List<ServerProcess> servers = new ArrayList<>();
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("REDIS_URL", redis);
    env.put("JWT_SECRET", java.util.HexFormat.of().formatHex(secret));
    try {
      for (int i = 1; i <= instances; i++) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CHAT_INSTANCE_ID", "compare-" + column + "-" + i);
        if (i > 1) {
          String db = servers.get(0).embeddedDatabaseUrl();
          if (db == null) {
            throw new IllegalStateException("the first instance's embedded PostgreSQL not found");
          }
          e.put("DATABASE_URL", db);
        }
        servers.add(ServerProcess.start(Kind.CHAT, launch, column + "-" + scenario + "-" + i, e));
      }
      Options so =
          o.withCommand(scenario)
              .with(
                  "url", servers.stream().map(ServerProcess::url).collect(Collectors.joining(",")))
              .with("kind", Kind.CHAT.id())
              .with("protocol", Protocol.JSON.id())
              .with(
                  "pid",
                  servers.stream()
                      .flatMap(sp -> sp.cpuPids().stream())
                      .map(String::valueOf)
                      .collect(Collectors.joining(",")));
      return LoadTool.run(so);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.failed(scenario, Kind.CHAT, "interrupted").put("protocol", "json");
    } catch (Exception e) {
      return Result.failed(scenario, Kind.CHAT, String.valueOf(e.getMessage()))
          .put("protocol", "json");
    } finally {
      // the others first: the first holds the database they use
      for (int i = servers.size() - 1; i >= 0; i--) {
        servers.get(i).close();
      }
    }
  }

  /**
   * The protocols a scenario runs in on a target: fanout and echo on the SignalR servers in every
   * protocol asked for; connections and socket.io in JSON only.
   */
  static List<Protocol> protocolsFor(String scenario, Kind kind, List<Protocol> protocols) {
    if (!kind.signalR() || scenario.equals("connections")) {
      return List.of(Protocol.JSON);
    }
    return protocols;
  }

  /**
   * The column of a target in a protocol: {@code chat}, {@code chat-msgpack}, {@code chat-mixed}.
   */
  static String column(Kind kind, Protocol protocol) {
    return switch (protocol) {
      case JSON -> kind.id();
      case MESSAGEPACK -> kind.id() + "-msgpack";
      case MIXED -> kind.id() + "-mixed";
    };
  }

  /** The ratios printed, numerator and denominator columns, when both ran. */
  private static final List<String[]> RATIOS =
      List.of(
          new String[] {"chat", "ceiling"},
          new String[] {"chat", "socketio"},
          new String[] {"chat-msgpack", "chat"},
          new String[] {"ceiling-msgpack", "ceiling"},
          new String[] {"chat-msgpack", "ceiling-msgpack"},
          new String[] {"chat-mixed", "chat"},
          new String[] {"chat-redis", "chat"},
          new String[] {"chat-redis2", "chat"});

  private static List<String[]> ratios(List<String> columns) {
    return RATIOS.stream().filter(r -> columns.contains(r[0]) && columns.contains(r[1])).toList();
  }

  /** The side-by-side table. */
  public static String table(Outcome oc) {
    List<String> cols = new ArrayList<>(oc.targets());
    List<String[]> ratios = ratios(oc.targets());
    ratios.forEach(r -> cols.add(r[0] + "/" + r[1]));
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-34s", "metric"));
    cols.forEach(c -> sb.append(String.format("%" + Math.max(15, c.length() + 2) + "s", c)));
    sb.append('\n');
    List<String> errors = new ArrayList<>();
    for (String scenario : oc.scenarios()) {
      Map<String, Result> row = oc.results().get(scenario);
      for (String m : METRICS.get(scenario)) {
        sb.append(String.format("%-34s", scenario + " " + m));
        for (String t : oc.targets()) {
          Result r = row.get(t);
          sb.append(
              String.format(
                  "%" + Math.max(15, t.length() + 2) + "s", cell(r == null ? null : r.get(m))));
        }
        for (String[] r : ratios) {
          sb.append(
              String.format(
                  "%" + Math.max(15, r[0].length() + r[1].length() + 3) + "s",
                  cell(ratio(row.get(r[0]), row.get(r[1]), m))));
        }
        sb.append('\n');
      }
      row.forEach(
          (t, r) -> {
            if (r.error() != null) {
              errors.add(scenario + " on " + t + ": " + r.error());
            }
          });
    }
    errors.forEach(e -> sb.append("error: ").append(e).append('\n'));
    return sb.toString();
  }

  /** One JSON line: every result and every ratio. */
  public static String json(Outcome oc) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("scenarios", oc.scenarios());
    all.put("targets", oc.targets());
    Map<String, Object> results = new LinkedHashMap<>();
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (String scenario : oc.scenarios()) {
      Map<String, Result> row = oc.results().get(scenario);
      Map<String, Object> byTarget = new LinkedHashMap<>();
      row.forEach((t, r) -> byTarget.put(t, r.asMap()));
      results.put(scenario, byTarget);
      Map<String, Object> rs = new LinkedHashMap<>();
      for (String m : METRICS.get(scenario)) {
        Map<String, Object> pair = new LinkedHashMap<>();
        for (String[] r : RATIOS) {
          pair.put(r[0] + "/" + r[1], ratio(row.get(r[0]), row.get(r[1]), m));
        }
        rs.put(m, pair);
      }
      ratios.put(scenario, rs);
    }
    all.put("results", results);
    all.put("ratios", ratios);
    all.put("ok", !oc.bad());
    return Result.json(all);
  }

  static Double ratio(Result a, Result b, String metric) {
    if (a == null || b == null) {
      return null;
    }
    Double x = a.number(metric);
    Double y = b.number(metric);
    if (x == null || y == null || y == 0) {
      return null;
    }
    return Math.round(x / y * 1000.0) / 1000.0;
  }

  private static String cell(Object v) {
    return v == null ? "-" : Result.format(v);
  }

  /**
   * The repository root: the nearest ancestor of the working directory holding chat-load/pom.xml.
   */
  static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("chat-load/pom.xml"))) {
        return p;
      }
    }
    return Path.of("").toAbsolutePath();
  }

  static Path resolve(Path root, String p) {
    Path x = Path.of(p);
    if (x.isAbsolute() || Files.exists(x)) {
      return x.toAbsolutePath();
    }
    return root.resolve(x);
  }
}
