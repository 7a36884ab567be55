package org.jvmchat.load.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jvmchat.load.Kind;

/**
 * A server under test as a child process on a free port, its output in a log file. {@link #close}
 * stops it (and what it started, such as the chat server's embedded PostgreSQL): SIGTERM, then
 * SIGKILL after 10 s. A JVM shutdown hook stops whatever is still running.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Set<ServerProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(ServerProcess::close)));
  }

  /**
   * How to start the servers.
   *
   * @param jvmOpts options of both Java servers
   * @param classpath the ceiling server's class path (this tool's)
   */
  public record Launch(
      List<String> jvmOpts, String classpath, Path chatJar, String node, Path script, Path logs) {}

  private final Kind kind;
  private final int port;
  private final Process process;
  private final Path log;
  private final Path dataDir;

  private ServerProcess(Kind kind, int port, Process process, Path log, Path dataDir) {
    this.kind = kind;
    this.port = port;
    this.process = process;
    this.log = log;
    this.dataDir = dataDir;
  }

  public static ServerProcess start(Kind kind, Launch l, String label)
      throws IOException, InterruptedException {
    return start(kind, l, label, Map.of());
  }

  /**
   * As {@link #start(Kind, Launch, String)}, the chat server with {@code env} added to its
   * environment (e.g. {@code REDIS_URL}, or {@code DATABASE_URL} of another instance's database).
   */
  public static ServerProcess start(Kind kind, Launch l, String label, Map<String, String> extra)
      throws IOException, InterruptedException {
    int port = freePort();
    Files.createDirectories(l.logs());
    Path log = l.logs().resolve(label + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    Path dataDir = null;
    switch (kind) {
      case CEILING:
        cmd.add(java);
        cmd.addAll(l.jvmOpts());
        cmd.addAll(
            List.of(
                "-cp",
                l.classpath(),
                "org.jvmchat.load.ceiling.CeilingServer",
                "--port",
                "" + port));
        break;
      case CHAT:
        requireFile(l.chatJar(), "the chat server jar (--chat-jar)");
        cmd.add(java);
        cmd.addAll(l.jvmOpts());
        cmd.addAll(List.of("-jar", l.chatJar().toString()));
        dataDir = Files.createTempDirectory("chat-load-data-");
        break;
      default:
        requireFile(l.script(), "the socket.io server script (--socketio-script)");
        cmd.addAll(List.of(l.node(), l.script().toString(), "--port", "" + port));
        break;
    }
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    if (kind == Kind.SOCKETIO) {
      pb.directory(l.script().getParent().toFile());
    }
    Map<String, String> env = pb.environment();
    if (kind == Kind.CHAT) {
      for (String k :
          List.of("DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "CHAT_CONFIG", "JWT_SECRET")) {
        env.remove(k);
      }
      env.put("PORT", "" + port);
      env.put("CHAT_DATA_DIR", dataDir.toString());
      env.put("CHAT_ENVIRONMENT", "Development");
      env.putAll(extra);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      deleteTree(dataDir);
      throw new IOException(
          "cannot start " + kind.id() + " (" + cmd.get(0) + "): " + e.getMessage(), e);
    }
    ServerProcess sp = new ServerProcess(kind, port, p, log, dataDir);
    LIVE.add(sp);
    try {
      sp.awaitReady(kind == Kind.CHAT ? 90 : 30);
    } catch (IOException | InterruptedException | RuntimeException e) {
      sp.close();
      throw e;
    }
    return sp;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /**
   * The server's process id, then that of the PostgreSQL postmaster it started, if any (read from
   * {@code postmaster.pid} in its data directory): {@code pg_ctl} detaches the postmaster, so it is
   * not a descendant of the server, but its CPU is the server's.
   */
  public List<Long> cpuPids() {
    List<Long> pids = new ArrayList<>(List.of(process.pid()));
    if (dataDir != null) {
      Path pidFile = dataDir.resolve("pg").resolve("postmaster.pid");
      try {
        String first = Files.readAllLines(pidFile).get(0).trim();
        pids.add(Long.parseLong(first));
      } catch (IOException | RuntimeException none) {
        // no embedded database (or not started): the server's own tree is all there is
      }
    }
    return pids;
  }

  /**
   * The {@code DATABASE_URL} of the embedded PostgreSQL this chat server started (its port is the
   * fourth line of {@code postmaster.pid}), for another instance to share it; null when none.
   */
  public String embeddedDatabaseUrl() {
    if (dataDir == null) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("pg").resolve("postmaster.pid"));
      int port = Integer.parseInt(lines.get(3).trim());
      return "postgres://postgres@127.0.0.1:" + port + "/postgres";
    } catch (IOException | RuntimeException none) {
      return null;
    }
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Path log() {
    return log;
  }

  private void awaitReady(int seconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            kind.id()
                + " server exited with status "
                + process.exitValue()
                + "; its log "
                + log
                + " ends with:\n"
                + tail());
      }
      if (kind == Kind.CHAT) {
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(URI.create(url() + "/health/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
      } else if (Files.exists(log) && Files.readString(log).contains("listening on")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IOException(
        kind.id()
            + " server not ready after "
            + seconds
            + " s; its log "
            + log
            + " ends with:\n"
            + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    if (!LIVE.remove(this)) {
      return;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle d : descendants) {
        if (d.isAlive()) {
          d.destroy();
        }
      }
      for (ProcessHandle d : descendants) {
        try {
          d.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          d.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
    deleteTree(dataDir);
  }

  private static void requireFile(Path p, String what) throws IOException {
    if (p == null || !Files.isRegularFile(p)) {
      throw new IOException(what + " not found: " + p);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
