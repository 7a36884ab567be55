package org.jvmchat.load;

import org.HdrHistogram.Histogram;
import org.jvmchat.load.internal.LatencyRecorder;
import org.jvmchat.load.internal.ProcStats;

/** Fills the latency and server CPU / memory fields of a result. */
final class Measures {
  private Measures() {}

  static void latency(Result r, Histogram h) {
    r.put("p50Ms", LatencyRecorder.percentileMs(h, 50))
        .put("p99Ms", LatencyRecorder.percentileMs(h, 99))
        .put("p999Ms", LatencyRecorder.percentileMs(h, 99.9))
        .put("maxMs", LatencyRecorder.maxMs(h))
        .put("latencySamples", h.getTotalCount());
  }

  /**
   * CPU per unit of work between two samples ({@code perKey}, e.g. {@code serverCpuUsPerRoundTrip})
   * and the further process trees' share of it ({@code perKey} with {@code database} for {@code
   * server}: what {@code compare} names after the chat server is its embedded PostgreSQL), the CPU
   * share and the RSS at the second.
   */
  static void cpu(Result r, String perKey, ProcStats.Sample a, ProcStats.Sample b, long units) {
    if (a == null || b == null) {
      return;
    }
    long cpu = b.cpuMicros() - a.cpuMicros();
    double wallMicros = (b.atNanos() - a.atNanos()) / 1e3;
    if (units > 0) {
      r.put(perKey, (double) cpu / units);
      if (a.furtherCpuMicros() >= 0 && b.furtherCpuMicros() >= 0) {
        r.put(
            perKey.replace("server", "database"),
            (double) (b.furtherCpuMicros() - a.furtherCpuMicros()) / units);
      }
    }
    if (wallMicros > 0) {
      r.put("serverCpuPercent", 100.0 * cpu / wallMicros);
    }
    r.put("serverRssMb", b.rssKb() / 1024.0);
  }
}
