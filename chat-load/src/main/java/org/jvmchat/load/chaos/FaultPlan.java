package org.jvmchat.load.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * When each fault starts, from the start of sending: after the warm-up, one after the other, each
 * followed by at least {@code --gap} steady seconds; when {@code --duration} leaves more room, the
 * gaps grow evenly. A fault that takes longer than planned (an instance slow to restart) delays the
 * ones after it, each still {@code --gap} after the previous one ended: the windows of the report
 * hold the times it really happened.
 */
final class FaultPlan {
  /** One fault, planned {@code atMillis} after the start, expected to take {@code expectMillis}. */
  record Step(String fault, long atMillis, long expectMillis, String what) {}

  private final List<Step> steps = new ArrayList<>();
  private final long endMillis;
  private final ChaosOptions o;

  FaultPlan(ChaosOptions o, int instances) {
    this.o = o;
    List<long[]> est = new ArrayList<>();
    long total = 0;
    for (String f : o.faults) {
      long e = expect(f, instances);
      est.add(new long[] {e});
      total += e + o.gap.toMillis();
    }
    long room = o.duration.toMillis() - o.warmup.toMillis() - total;
    long extra = o.faults.isEmpty() || room <= 0 ? 0 : room / o.faults.size();
    long at = o.warmup.toMillis();
    for (int i = 0; i < o.faults.size(); i++) {
      String f = o.faults.get(i);
      long e = est.get(i)[0];
      steps.add(new Step(f, at, e, what(f, instances)));
      at += e + o.gap.toMillis() + extra;
    }
    endMillis = Math.max(at, o.warmup.toMillis());
  }

  List<Step> steps() {
    return steps;
  }

  /** When sending stops at the earliest, from the start. */
  long endMillis() {
    return endMillis;
  }

  private long expect(String fault, int instances) {
    return switch (fault) {
      case "kill" -> o.killDown.toMillis() + 6_000;
      case "redis" -> o.redisOutage.toMillis();
      case "postgres" -> o.postgresOutage.toMillis();
      case "cut" -> o.hold.toMillis();
      case "slow" -> 1_000;
      case "rolling" -> instances * 6_000L;
      default -> throw new IllegalArgumentException(fault);
    };
  }

  private String what(String fault, int instances) {
    return switch (fault) {
      case "kill" ->
          "kill -9 instance "
              + Faults.KILL_VICTIM % instances
              + ", restart after "
              + secs(o.killDown);
      case "redis" -> "Redis cut (connections reset, new ones refused) for " + secs(o.redisOutage);
      case "postgres" ->
          "PostgreSQL cut (connections reset, new ones refused) for " + secs(o.postgresOutage);
      case "cut" ->
          String.format(
              "%.0f%% of client connections reset; then %.0f%% held (no byte, no FIN) for %s (client timeout %s)",
              o.cutFraction * 100, o.cutFraction * 100, secs(o.hold), secs(o.clientTimeout));
      case "slow" ->
          "a slow consumer joins room 0 and never reads again (pings every 5 s) until the end";
      case "rolling" ->
          "rolling restart: SIGTERM, wait for exit, start, ready; instance 0.." + (instances - 1);
      default -> fault;
    };
  }

  static String secs(java.time.Duration d) {
    return Chaos.fmt(d.toMillis() / 1000.0) + " s";
  }

  String describe() {
    StringBuilder b = new StringBuilder("fault schedule (from the start of sending):\n");
    b.append(String.format("  %7s  %-9s %s%n", "t+0 s", "steady", "warm-up, " + secs(o.warmup)));
    for (Step s : steps) {
      b.append(
          String.format(
              "  %7s  %-9s %s%n", "t+" + s.atMillis() / 1000 + " s", s.fault(), s.what()));
    }
    b.append(
        String.format(
            "  %7s  %-9s %s%n",
            "t+" + Math.max(endMillis, o.duration.toMillis()) / 1000 + " s",
            "end",
            "senders stop, drain, recover from history"));
    return b.toString();
  }
}
