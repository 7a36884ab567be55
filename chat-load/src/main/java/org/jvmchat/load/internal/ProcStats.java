package org.jvmchat.load.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A server's CPU time and memory from Linux {@code /proc}: CPU is {@code utime + stime} of the
 * process and every live descendant, plus those of the further process trees named (the embedded
 * PostgreSQL the chat server starts is not a descendant: {@code pg_ctl} detaches its postmaster, so
 * the load tool names it), in microseconds (the kernel reports clock ticks of 1/100 s); RSS is
 * {@code VmRSS} of the first process itself from {@code /proc/<pid>/status}. Each reading also says
 * how much of that CPU the further trees took (for the chat server: its database's share).
 */
public final class ProcStats {
  private static final long MICROS_PER_TICK = 10_000;

  private ProcStats() {}

  /**
   * One reading.
   *
   * @param cpuMicros CPU of every process counted (the server's tree and the further ones)
   * @param furtherCpuMicros of that, the CPU of the further trees' processes that are not in the
   *     server's own tree; -1 when no further tree was named
   */
  public record Sample(long cpuMicros, long furtherCpuMicros, long rssKb, long atNanos) {}

  /**
   * A reading of {@code pids} (the server first, then processes whose CPU counts as its own), or
   * null when there is none or the server is gone. A further process that is gone counts nothing.
   */
  public static Sample sample(List<Long> pids) {
    if (pids.isEmpty() || !Files.exists(Path.of("/proc", pids.get(0).toString()))) {
      return null;
    }
    try {
      long[] cpu = treeCpuMicros(pids);
      return new Sample(cpu[0], pids.size() > 1 ? cpu[1] : -1, rssKb(pids.get(0)), Clock.now());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  public static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  /** {@code [ppid, utime + stime ticks]} from the content of a {@code /proc/<pid>/stat} file. */
  public static long[] parseStat(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12])};
  }

  /**
   * CPU of the process trees under {@code roots}, from one scan of {@code /proc}; a process in
   * several of the trees counts once: {@code [all of them, those outside the first root's tree]}.
   *
   * @throws IOException when the first root is gone (a later one that is gone counts nothing)
   */
  static long[] treeCpuMicros(List<Long> roots) throws IOException {
    Map<Long, List<Long>> children = new HashMap<>();
    Map<Long, Long> ticks = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          long[] s = parseStat(Files.readString(p.resolve("stat")));
          long pid = Long.parseLong(p.getFileName().toString());
          ticks.put(pid, s[1]);
          children.computeIfAbsent(s[0], k -> new ArrayList<>()).add(pid);
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked
        }
      }
    }
    if (!ticks.containsKey(roots.get(0))) {
      throw new IOException("no process " + roots.get(0));
    }
    Set<Long> counted = new HashSet<>();
    long own = sumTree(List.of(roots.get(0)), children, ticks, counted);
    long further = sumTree(roots.subList(1, roots.size()), children, ticks, counted);
    return new long[] {(own + further) * MICROS_PER_TICK, further * MICROS_PER_TICK};
  }

  /** Ticks of the trees under {@code roots} whose processes are not in {@code counted} yet. */
  private static long sumTree(
      List<Long> roots, Map<Long, List<Long>> children, Map<Long, Long> ticks, Set<Long> counted) {
    long sum = 0;
    Deque<Long> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      long p = todo.pop();
      if (counted.add(p)) {
        sum += ticks.getOrDefault(p, 0L);
        todo.addAll(children.getOrDefault(p, List.of()));
      }
    }
    return sum;
  }
}
