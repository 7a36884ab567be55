package org.jvmchat.load.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jvmchat.load.internal.ProcStats;

/**
 * One chat server instance of the chaos run: the chat-server jar as a child process on a port of
 * its own choosing ({@code PORT=0}, read from its ready line), restarted as often as the faults
 * ask, each start logging to its own file.
 */
final class Instance {

  private final int index;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path logs;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private int port;
  private int starts;
  private Path log;

  Instance(int index, List<String> command, Map<String, String> env, Path logs) {
    this.index = index;
    this.command = command;
    this.env = env;
    this.logs = logs;
  }

  int index() {
    return index;
  }

  synchronized int port() {
    return port;
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  synchronized int starts() {
    return starts;
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the process on a free port (a new one each start: the old one may still be in TIME_WAIT)
   * and waits until {@code /health/ready} answers 200. The port is not read from the log, so any
   * {@code LOG_LEVEL} works.
   */
  void start(Duration timeout) throws IOException, InterruptedException {
    Process p;
    Path l;
    int chosen = freePort();
    synchronized (this) {
      starts++;
      l = logs.resolve("instance-" + index + "-start-" + starts + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(l.toFile());
      pb.environment().keySet().removeIf(k -> Chaos.SERVER_ENV_CLEARED.contains(k));
      pb.environment().putAll(env);
      pb.environment().put("PORT", Integer.toString(chosen));
      pb.environment().put("CHAT_INSTANCE_ID", "chaos-" + index);
      p = pb.start();
      process = p;
      log = l;
      port = 0;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException(
            "instance " + index + " exited with status " + p.exitValue() + ":\n" + tail(l));
      }
      if (ready(chosen)) {
        synchronized (this) {
          port = chosen;
        }
        return;
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new IOException("instance " + index + " not ready after " + timeout + ":\n" + tail(l));
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private boolean ready(int p) {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/health/ready"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code kill -9}: no shutdown hook, no goodbye to anyone. */
  void kill9() throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait for the graceful exit; the exit status (143 expected), or -1 on timeout. */
  int sigterm(Duration timeout) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    p.destroy();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      return -1;
    }
    return p.exitValue();
  }

  /** Resident set size of the current process, KiB; -1 when not running. */
  long rssKb() {
    long pid = pid();
    if (pid < 0) {
      return -1;
    }
    try {
      return ProcStats.rssKb(pid);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  synchronized Path log() {
    return log;
  }

  void stop() {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null || !p.isAlive()) {
      return;
    }
    try {
      if (sigterm(Duration.ofSeconds(15)) < 0) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(
          "\n", new ArrayList<>(lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    } catch (IOException | RuntimeException e) {
      return "(no log)";
    }
  }
}
