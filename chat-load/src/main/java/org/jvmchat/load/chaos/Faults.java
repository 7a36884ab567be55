package org.jvmchat.load.chaos;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Injects one fault and returns its report window (from the moment it began; the window ends where
 * the next one begins, so the recovery after a fault counts as the fault's). A fault that could not
 * be done as planned (an instance that did not come back) is marked not injected, which fails the
 * run.
 */
final class Faults {
  /** The instance {@code kill} kills (modulo the instance count). */
  static final int KILL_VICTIM = 1;

  private final Chaos chaos;
  private final ChaosOptions o;
  private final PrintStream out;
  final List<Report.Window> injected = new ArrayList<>();

  Faults(Chaos chaos, ChaosOptions o, PrintStream out) {
    this.chaos = chaos;
    this.o = o;
    this.out = out;
  }

  Report.Window inject(FaultPlan.Step step) throws InterruptedException {
    long from = System.currentTimeMillis();
    Report.Window w = new Report.Window(step.fault(), "", from);
    String spread = java.util.Arrays.toString(chaos.front().linksPerBackend());
    try {
      w.detail = run(step.fault()) + "; client connections per instance before: " + spread;
      w.injected = true;
    } catch (Exception e) {
      w.detail = "FAILED: " + e;
      w.injected = false;
    }
    w.actionEnded = System.currentTimeMillis();
    out.printf(
        "t+%.1f s  %-9s %s (%.1f s)%n",
        (from - startOfSending()) / 1e3, step.fault(), w.detail, (w.actionEnded - from) / 1e3);
    injected.add(w);
    return w;
  }

  private long sendingStart;

  void sendingStarted(long at) {
    sendingStart = at;
  }

  private long startOfSending() {
    return sendingStart;
  }

  private String run(String fault) throws Exception {
    List<Instance> ins = chaos.instances();
    switch (fault) {
      case "kill":
        {
          Instance victim = ins.get(KILL_VICTIM % ins.size());
          long pid = victim.pid();
          victim.kill9();
          chaos.front().setBackend(victim.index(), 0);
          Thread.sleep(o.killDown.toMillis());
          long t = System.currentTimeMillis();
          victim.start(Duration.ofSeconds(120));
          chaos.front().setBackend(victim.index(), victim.port());
          return String.format(
              "instance %d (pid %d) killed with SIGKILL; restarted as pid %d, ready in %.1f s",
              victim.index(), pid, victim.pid(), (System.currentTimeMillis() - t) / 1e3);
        }
      case "redis":
        {
          int n = chaos.redisProxy().cut();
          Thread.sleep(o.redisOutage.toMillis());
          long refused = chaos.redisProxy().refused();
          chaos.redisProxy().restore();
          if (n == 0) {
            throw new IllegalStateException("no Redis connection to cut");
          }
          return String.format(
              "Redis cut: %d connections reset, %d connection attempts refused; restored",
              n, refused);
        }
      case "postgres":
        {
          int n = chaos.pgProxy().cut();
          Thread.sleep(o.postgresOutage.toMillis());
          long refused = chaos.pgProxy().refused();
          chaos.pgProxy().restore();
          if (n == 0) {
            throw new IllegalStateException("no PostgreSQL connection to cut");
          }
          return String.format(
              "PostgreSQL cut: %d connections reset, %d connection attempts refused; restored",
              n, refused);
        }
      case "cut":
        {
          int reset = chaos.front().reset(o.cutFraction);
          int held = chaos.front().hold(o.cutFraction);
          Thread.sleep(o.hold.toMillis());
          int released = chaos.front().releaseHeld();
          if (reset == 0 || held == 0) {
            throw new IllegalStateException(
                "nothing to cut (" + reset + " reset, " + held + " held)");
          }
          return String.format(
              "%d client connections reset; %d held for %s, then %d of them reset",
              reset, held, FaultPlan.secs(o.hold), released);
        }
      case "slow":
        {
          chaos.openSlowConsumer();
          return "slow consumer joined room 0 and stopped reading";
        }
      case "rolling":
        {
          StringBuilder b = new StringBuilder("rolling restart:");
          for (Instance in : ins) {
            long pid = in.pid();
            chaos.front().setBackend(in.index(), 0);
            long t = System.currentTimeMillis();
            int status = in.sigterm(Duration.ofSeconds(40));
            long stopped = System.currentTimeMillis();
            if (status < 0) {
              throw new IllegalStateException(
                  "instance " + in.index() + " did not exit within 40 s of SIGTERM (killed)");
            }
            in.start(Duration.ofSeconds(120));
            chaos.front().setBackend(in.index(), in.port());
            b.append(
                String.format(
                    " %d (pid %d exit %d after %.1f s, up again in %.1f s);",
                    in.index(),
                    pid,
                    status,
                    (stopped - t) / 1e3,
                    (System.currentTimeMillis() - stopped) / 1e3));
          }
          return b.toString();
        }
      default:
        throw new IllegalArgumentException(fault);
    }
  }
}
