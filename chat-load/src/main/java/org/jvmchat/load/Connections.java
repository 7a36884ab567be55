package org.jvmchat.load;

import java.util.ArrayList;
import java.util.List;
import org.jvmchat.load.internal.Conn;
import org.jvmchat.load.internal.Driver;
import org.jvmchat.load.internal.JvmHeap;
import org.jvmchat.load.internal.Opener;
import org.jvmchat.load.internal.ProcStats;
import org.jvmchat.load.internal.Setup;
import org.jvmchat.load.internal.Target;

/**
 * {@code connections}: opens {@code count} connections ({@code concurrency} in flight), each
 * joining its room; reports connects/s, then holds them and reports the server's RSS growth per
 * connection and, for a JVM server, its live-heap growth per connection (both read right after a
 * full GC, before the first connect and after the hold).
 *
 * <p>With {@code warmup-count} above 0, that many connections of other users, in other rooms, are
 * opened, joined and closed first, in rounds of at most {@code count} (so the driver never holds
 * more connections than the measured run does), and connects/s and CPU per connect are measured
 * after them: a JIT-compiled server is then not measured while it compiles its connect path. RSS
 * and heap growth are still taken from before that warm-up, so what the warm-up left behind (a
 * larger heap) counts against the server.
 */
public final class Connections {
  private Connections() {}

  /** One round of the warm-up: its users' tokens and rooms, and how many connections it opens. */
  private record WarmupRound(Setup setup, int size) {}

  public static Result run(Options o) throws Exception {
    Kind kind = o.kind();
    Target target = Target.of(kind, o.required("url"));
    int n = o.integer("count");
    int rooms = Math.max(1, o.integer("rooms"));
    Setup setup = Setup.prepare(target, n, o.integer("users", n), rooms);
    int warmupCount = Math.max(0, o.integer("warmup-count"));
    // Tokens and rooms of every warm-up round are made now, before any baseline.
    List<WarmupRound> warmupRounds = new ArrayList<>();
    for (int done = 0, round = 0; done < warmupCount; round++) {
      int size = Math.min(n, warmupCount - done);
      String prefix = warmupCount <= n ? "w" : "w" + round + "-";
      warmupRounds.add(new WarmupRound(Setup.prepare(target, size, size, rooms, prefix), size));
      done += size;
    }
    Conn.Listener listener = new Conn.Listener() {};

    boolean jvm = JvmHeap.isJvm(o.pid());
    try (Driver driver = new Driver(o.integer("driver-threads", 1))) {
      // A JVM server: a full GC first (the histogram runs one), so that both RSS readings are
      // taken right after a collection, not at a point of the young generation's fill level.
      long heapBefore = jvm ? JvmHeap.liveBytes(o.pid()) : -1;
      ProcStats.Sample before = ProcStats.sample(o.cpuPids());
      int warmedUp = 0;
      for (WarmupRound round : warmupRounds) {
        Opener.Opened warm = openAll(driver, target, o, listener, round.size(), round.setup());
        warmedUp += warm.opened();
        for (Conn c : warm.conns()) {
          if (c != null) {
            c.close();
          }
        }
        // The server handles the disconnects, and what it defers after them, before the next
        // connects: the measured ones must not pay for the warm-up's departures.
        Thread.sleep((long) (o.seconds("settle") * 1000));
      }
      // After a warm-up, a second baseline (again right after a full GC for a JVM): what the
      // measured connections add to a server that has served and closed the warm-up's.
      long heapWarm = jvm && warmedUp > 0 ? JvmHeap.liveBytes(o.pid()) : -1;
      ProcStats.Sample beforeOpen = ProcStats.sample(o.cpuPids());
      ProcStats.Sample warm = warmedUp > 0 ? beforeOpen : null;
      Opener.Opened opened = openAll(driver, target, o, listener, n, setup);
      ProcStats.Sample afterOpen = ProcStats.sample(o.cpuPids());
      double seconds = opened.elapsedNanos() / 1e9;
      Result r =
          new Result("connections", kind)
              .put("protocol", o.protocol().id())
              .put("warmupConnections", (long) warmedUp)
              .put("connections", opened.opened())
              .put("failedConnections", (long) opened.failed())
              .put("connectsPerSec", opened.opened() / seconds);
      if (opened.failed() > 0) {
        r.put("error", opened.failure());
      }
      Measures.cpu(r, "serverCpuUsPerConnect", beforeOpen, afterOpen, opened.opened());
      Thread.sleep((long) (o.seconds("hold") * 1000));
      long heapHeld = jvm ? JvmHeap.liveBytes(o.pid()) : -1;
      ProcStats.Sample held = ProcStats.sample(o.cpuPids());
      if (heapBefore >= 0 && heapHeld >= 0 && opened.opened() > 0) {
        r.put("heapPerConnectionKb", (heapHeld - heapBefore) / 1024.0 / opened.opened());
      }
      int alive = 0;
      for (Conn c : opened.conns()) {
        if (c != null && c.channel().isActive()) {
          alive++;
        }
      }
      if (alive < opened.opened()) {
        r.put("lost", (long) (opened.opened() - alive));
        r.put("error", (opened.opened() - alive) + " connections closed while held");
      }
      if (before != null && held != null && opened.opened() > 0) {
        r.put("serverRssMb", held.rssKb() / 1024.0);
        r.put("rssPerConnectionKb", (double) (held.rssKb() - before.rssKb()) / opened.opened());
      }
      if (warm != null && held != null && opened.opened() > 0) {
        r.put("warmRssPerConnectionKb", (double) (held.rssKb() - warm.rssKb()) / opened.opened());
      }
      if (heapWarm >= 0 && heapHeld >= 0 && opened.opened() > 0) {
        r.put("warmHeapPerConnectionKb", (heapHeld - heapWarm) / 1024.0 / opened.opened());
      }
      return r;
    }
  }

  /** Opens {@code count} connections, each joining its room, with the tokens of {@code users}. */
  private static Opener.Opened openAll(
      Driver driver, Target target, Options o, Conn.Listener listener, int count, Setup users)
      throws InterruptedException {
    return Opener.open(
        driver,
        target,
        count,
        o.integer("concurrency"),
        i -> new Conn(i, target.kind(), o.protocol(), listener),
        users,
        o.seconds("setup-timeout"));
  }
}
