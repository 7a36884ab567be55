package org.jvmchat.load.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jvmchat.load.internal.ChatApi;

/**
 * {@code chat-load chaos}: several chat server instances on Redis and PostgreSQL behind a
 * round-robin proxy, clients of every transport and protocol sending at a fixed rate, faults
 * injected one after the other, and an account of every message afterwards ({@link Report}).
 */
public final class Chaos {
  /** Variables of this shell that must not leak into an instance. */
  static final Set<String> SERVER_ENV_CLEARED =
      Set.of(
          "DATABASE_URL",
          "REDIS_URL",
          "OPENAI_API_KEY",
          "CHAT_CONFIG",
          "JWT_SECRET",
          "DB_SCHEMA",
          "CHAT_STORE",
          "CHAT_INSTANCE_URL",
          "CONNECTION_TOKEN_SECRET",
          "AZURE_SIGNALR_CONNECTION",
          "CHAT_ACCESS_KEY",
          "ASPNETCORE_ENVIRONMENT",
          "MANAGEMENT_PORT");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern URL_AUTHORITY =
      Pattern.compile("^([a-z]+(?::[a-z]+)?://)(?:([^@/]*)@)?([^:/?]+)(?::(\\d+))?(.*)$");

  private final ChaosOptions o;
  private final PrintStream out;
  private final String runId;
  private final Path logs;
  private final List<Instance> instances = new ArrayList<>();
  private final List<ChaosClient> clients = new ArrayList<>();
  private final List<String> roomIds = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private ChaosProxy front;
  private ChaosProxy redisProxy;
  private ChaosProxy pgProxy;
  private ExecutorService callbacks;
  private ScheduledExecutorService ticker;
  private SlowConsumer slow;
  private String schema;
  private String pgHost;
  private int pgPort;
  private String pgUser;
  private String pgPassword;
  private String pgDb;

  private Chaos(ChaosOptions o, PrintStream out) {
    this.o = o;
    this.out = o.json ? new PrintStream(PrintStream.nullOutputStream()) : out;
    byte[] id = new byte[4];
    new SecureRandom().nextBytes(id);
    this.runId = HexFormat.of().formatHex(id);
    this.logs = (o.logs != null ? o.logs : Path.of("target", "chaos-logs", runId)).toAbsolutePath();
  }

  /** The usage text of {@code chat-load chaos}. */
  public static String usage() {
    return ChaosOptions.USAGE;
  }

  /** Entry point of {@code chat-load chaos ...}: the exit status. */
  public static int main(String[] args, PrintStream out) throws Exception {
    ChaosOptions o = ChaosOptions.parse(args);
    Report r = run(o, out);
    out.println(r.toJson());
    return r.failed() ? 1 : 0;
  }

  /** Runs the whole thing and returns the report (the table already printed unless --json). */
  public static Report run(ChaosOptions o, PrintStream out) throws Exception {
    Chaos c = new Chaos(o, out);
    try {
      return c.execute();
    } finally {
      c.cleanUp();
    }
  }

  private Report execute() throws Exception {
    Files.createDirectories(logs);
    Path jar = chatJar();
    out.printf(
        "chaos run %s: %d instances, %d clients in %d rooms at %s msg/s each, %s s of sending,"
            + " faults %s; logs in %s%n",
        runId,
        o.instances,
        o.clients,
        o.rooms,
        fmt(o.rate),
        o.duration.toSeconds(),
        o.faults.isEmpty() ? "none" : String.join(",", o.faults),
        logs);

    // Redis and PostgreSQL, each behind a proxy of ours
    Matcher rm = authority(o.redisUrl, "--redis-url");
    redisProxy =
        new ChaosProxy(
            "redis",
            rm.group(3),
            List.of(rm.group(4) == null ? 6379 : Integer.parseInt(rm.group(4))));
    String redisUrl =
        rm.group(1)
            + (rm.group(2) == null ? "" : rm.group(2) + "@")
            + "127.0.0.1:"
            + redisProxy.port()
            + rm.group(5);
    Matcher dm = authority(o.databaseUrl, "--database-url");
    if (!dm.group(1).startsWith("postgres")) {
      throw new IllegalArgumentException(
          "--database-url must be postgres://user[:pass]@host:port/db");
    }
    pgHost = dm.group(3);
    pgPort = dm.group(4) == null ? 5432 : Integer.parseInt(dm.group(4));
    String userInfo = dm.group(2) == null ? "postgres" : dm.group(2);
    int colon = userInfo.indexOf(':');
    pgUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
    pgPassword = colon < 0 ? null : userInfo.substring(colon + 1);
    String rest = dm.group(5);
    pgDb = rest.startsWith("/") ? rest.substring(1).replaceAll("\\?.*$", "") : "postgres";
    pgProxy = new ChaosProxy("postgres", pgHost, List.of(pgPort));
    String databaseUrl = dm.group(1) + userInfo + "@127.0.0.1:" + pgProxy.port() + rest;
    schema = "chaos_" + runId;

    Map<String, String> env = new LinkedHashMap<>();
    env.put("CHAT_ENVIRONMENT", "Development");
    env.put("REDIS_URL", redisUrl);
    env.put("DATABASE_URL", databaseUrl);
    env.put("DB_SCHEMA", schema);
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    env.put("JWT_SECRET", HexFormat.of().formatHex(secret));
    env.put("CHAT_INSTANCE_URL", "http://127.0.0.1:0");
    Path config = logs.resolve("appsettings.json");
    Files.writeString(config, "{\"host\":\"127.0.0.1\"}\n");
    env.put("CHAT_CONFIG", config.toString());
    env.putAll(o.serverEnv);

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(o.serverJvmOpts);
    cmd.addAll(List.of("-jar", jar.toString()));
    for (int i = 0; i < o.instances; i++) {
      instances.add(new Instance(i, cmd, env, logs));
    }
    long t = System.nanoTime();
    // the schema first (two instances creating it at once would race); the migrations take
    // Flyway's lock, so the instances start together
    sql("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (Instance in : instances) {
      starts.add(CompletableFuture.runAsync(() -> startUnchecked(in)));
    }
    CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
    List<Integer> ports = instances.stream().map(Instance::port).toList();
    front = new ChaosProxy("front", "127.0.0.1", ports);
    String base = "http://127.0.0.1:" + front.port();
    out.printf(
        "instances up in %.1f s on ports %s (pids %s); front proxy %s, Redis via :%d, PostgreSQL"
            + " via :%d (schema %s)%n",
        (System.nanoTime() - t) / 1e9,
        ports,
        instances.stream().map(Instance::pid).toList(),
        base,
        redisProxy.port(),
        pgProxy.port(),
        schema);

    // users, rooms, clients
    ChatApi api = new ChatApi(URI.create(base));
    String userPrefix = "chaos-" + runId + "-u";
    List<String> tokens = api.devTokens(o.clients + 1, userPrefix);
    for (int r = 0; r < o.rooms; r++) {
      roomIds.add(api.createRoom(tokens.get(r % o.clients), "chaos " + runId + " room " + r));
    }
    callbacks = Executors.newFixedThreadPool(4, daemon("chaos-callbacks"));
    ticker = Executors.newScheduledThreadPool(2, daemon("chaos-ticker"));
    ChaosClient.Kind[] kinds = ChaosClient.Kind.values();
    for (int i = 0; i < o.clients; i++) {
      clients.add(
          new ChaosClient(
              i,
              runId,
              userPrefix + i,
              tokens.get(i),
              roomIds.get(i % o.rooms),
              kinds[i % kinds.length],
              base,
              o,
              callbacks,
              ticker));
    }
    t = System.nanoTime();
    List<CompletableFuture<Void>> joined = new ArrayList<>();
    for (ChaosClient c : clients) {
      joined.add(c.start());
    }
    CompletableFuture.allOf(joined.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    Map<String, Integer> mix = new LinkedHashMap<>();
    for (ChaosClient c : clients) {
      mix.merge(c.kind.label(), 1, Integer::sum);
    }
    out.printf(
        "%d clients connected and joined in %.1f s: %s%n",
        clients.size(), (System.nanoTime() - t) / 1e9, mix);

    // the schedule
    FaultPlan plan = new FaultPlan(o, instances.size());
    out.print(plan.describe());
    List<Long> rssBefore = new ArrayList<>();
    long start = System.currentTimeMillis();
    for (ChaosClient c : clients) {
      c.startSending();
    }
    List<Report.Window> windows = new ArrayList<>();
    Report.Window steady = new Report.Window("steady", "", start);
    windows.add(steady);
    Faults faults = new Faults(this, o, out);
    faults.sendingStarted(start);
    sleepUntil(start + o.warmup.toMillis());
    for (Instance in : instances) {
      rssBefore.add(in.rssKb());
    }
    long previousEnded = 0;
    for (FaultPlan.Step step : plan.steps()) {
      sleepUntil(Math.max(start + step.atMillis(), previousEnded + o.gap.toMillis()));
      Report.Window w = faults.inject(step);
      previousEnded = w.actionEnded;
      windows.get(windows.size() - 1).to = w.from;
      windows.add(w);
    }
    sleepUntil(
        Math.max(
            start + Math.max(o.duration.toMillis(), plan.endMillis()),
            previousEnded + o.gap.toMillis()));
    List<Long> rssAfter = new ArrayList<>();
    for (Instance in : instances) {
      rssAfter.add(in.rssKb());
    }
    long sendingEnded = System.currentTimeMillis();
    for (ChaosClient c : clients) {
      c.stopSending();
    }
    // drain: the last completions (at most 30 s), then a moment for the last deliveries
    long drainUntil = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < drainUntil
        && clients.stream().anyMatch(c -> c.outstanding() > 0)) {
      Thread.sleep(100);
    }
    Thread.sleep(3000);
    long end = System.currentTimeMillis();
    windows.get(windows.size() - 1).to = end;
    for (ChaosClient c : clients) {
      c.close(end);
    }
    long slowBytes = slow == null ? 0 : slow.drain(20);
    out.printf(
        "sending stopped after %.1f s; drained in %.1f s%n",
        (sendingEnded - start) / 1e3, (end - sendingEnded) / 1e3);

    // what the rooms hold, read through the front proxy
    Map<String, List<Report.Stored>> history = new LinkedHashMap<>();
    for (String room : roomIds) {
      history.put(room, fetchHistory(room, tokens.get(o.clients), 0));
    }
    // each client recovers what it missed, with its own token
    Map<Integer, Set<String>> recovered = new LinkedHashMap<>();
    for (ChaosClient c : clients) {
      recovered.put(c.index, recover(c, history.get(c.roomId)));
    }
    Report r =
        new Report(
            o,
            runId,
            windows,
            clients,
            history,
            recovered,
            instances,
            rssBefore,
            rssAfter,
            faults,
            slow == null ? null : slowBytes);
    out.print(r.toTable());
    Path details = logs.resolve("details.txt");
    Files.write(details, r.details);
    out.println("details (live misses, unacknowledged but stored sends): " + details);
    return r;
  }

  /** What client {@code c} fetches after the run: every message after its first join. */
  private Set<String> recover(ChaosClient c, List<Report.Stored> room) throws Exception {
    long firstJoin = c.intervals.isEmpty() ? Long.MAX_VALUE : c.intervals.get(0).from;
    long after = 0;
    for (Report.Stored s : room) {
      if (s.createdAt() < firstJoin) {
        after = Math.max(after, s.seq());
      }
    }
    Set<String> ids = new java.util.HashSet<>();
    for (Report.Stored s : fetchHistory(c.roomId, c.token(), after)) {
      ids.add(s.id());
    }
    return ids;
  }

  List<Report.Stored> fetchHistory(String roomId, String token, long after) throws Exception {
    List<Report.Stored> all = new ArrayList<>();
    Long cursor = after;
    int attempts = 0;
    while (cursor != null) {
      HttpRequest req =
          HttpRequest.newBuilder(
                  URI.create(
                      "http://127.0.0.1:"
                          + front.port()
                          + "/api/v1/rooms/"
                          + roomId
                          + "/messages?after="
                          + cursor
                          + "&limit=200"))
              .header("Authorization", "Bearer " + token)
              .timeout(Duration.ofSeconds(30))
              .build();
      HttpResponse<String> resp;
      try {
        resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (++attempts > 5) {
          throw e;
        }
        Thread.sleep(500);
        continue;
      }
      if (resp.statusCode() != 200) {
        if (++attempts > 5) {
          throw new IOException("history of " + roomId + " answered " + resp.statusCode());
        }
        Thread.sleep(500);
        continue;
      }
      JsonNode body = JSON.readTree(resp.body());
      for (JsonNode m : body.get("items")) {
        all.add(
            new Report.Stored(
                m.get("id").asText(),
                m.get("seq").asLong(),
                m.get("content").asText(),
                Instant.parse(m.get("createdAt").asText()).toEpochMilli()));
      }
      JsonNode next = body.get("nextAfter");
      cursor = next == null || next.isNull() ? null : next.asLong();
    }
    return all;
  }

  // ---- what the faults use

  List<Instance> instances() {
    return instances;
  }

  ChaosProxy front() {
    return front;
  }

  ChaosProxy redisProxy() {
    return redisProxy;
  }

  ChaosProxy pgProxy() {
    return pgProxy;
  }

  /** Opens the slow consumer in the first room (a user of its own). */
  SlowConsumer openSlowConsumer() throws Exception {
    ChatApi api = new ChatApi(URI.create("http://127.0.0.1:" + front.port()));
    String token = api.devTokens(1, "chaos-" + runId + "-slow").get(0);
    slow = SlowConsumer.open(front.port(), token, roomIds.get(0));
    return slow;
  }

  // ---- helpers

  private void startUnchecked(Instance in) {
    try {
      in.start(Duration.ofSeconds(120));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Path chatJar() throws IOException {
    if (o.chatJar != null) {
      if (!Files.isRegularFile(o.chatJar)) {
        throw new IOException("chat server jar not found: " + o.chatJar);
      }
      return o.chatJar.toAbsolutePath();
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve("chat-server/target/chat-server.jar");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException(
        "chat-server/target/chat-server.jar not found from here upwards: build it, or pass --chat-jar");
  }

  private static Matcher authority(String url, String option) {
    Matcher m = URL_AUTHORITY.matcher(url.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " is not a URL: " + url);
    }
    return m;
  }

  static void sleepUntil(long epochMillis) throws InterruptedException {
    long d = epochMillis - System.currentTimeMillis();
    if (d > 0) {
      Thread.sleep(d);
    }
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private void cleanUp() {
    for (ChaosClient c : clients) {
      try {
        c.close(System.currentTimeMillis());
      } catch (RuntimeException ignored) {
        // closing anyway
      }
    }
    if (slow != null) {
      slow.close();
    }
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Instance in : instances) {
      stops.add(CompletableFuture.runAsync(in::stop));
    }
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
    for (ChaosProxy p : new ChaosProxy[] {front, redisProxy, pgProxy}) {
      if (p != null) {
        p.close();
      }
    }
    if (callbacks != null) {
      callbacks.shutdownNow();
    }
    if (ticker != null) {
      ticker.shutdownNow();
    }
    if (schema != null && !o.keepSchema) {
      dropSchema();
    }
  }

  private void dropSchema() {
    try {
      sql("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    } catch (Exception e) {
      out.println("could not drop schema " + schema + ": " + e.getMessage());
    }
  }

  /** One statement on the real PostgreSQL (not through the proxy). */
  private void sql(String statement) throws java.sql.SQLException {
    Properties p = new Properties();
    p.setProperty("user", pgUser);
    if (pgPassword != null) {
      p.setProperty("password", pgPassword);
    }
    String url = "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + pgDb;
    try (Connection c = DriverManager.getConnection(url, p);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
