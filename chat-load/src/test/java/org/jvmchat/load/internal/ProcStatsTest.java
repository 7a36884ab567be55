package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcStatsTest {
  private static final long SELF = ProcessHandle.current().pid();

  @Test
  void parsesParentAndCpuTicksEvenWithSpacesInTheName() {
    String stat =
        "4242 (java (main) x) S 17 4242 4242 0 -1 4194560 1000 0 0 0 250 31 0 0 20 0 30 0 123 "
            + "456 789";
    long[] s = ProcStats.parseStat(stat);
    assertThat(s[0]).isEqualTo(17);
    assertThat(s[1]).isEqualTo(281);
  }

  @Test
  void readsThisProcess() {
    ProcStats.Sample s = ProcStats.sample(List.of(SELF));
    assertThat(s).isNotNull();
    assertThat(s.rssKb()).isPositive();
    assertThat(s.cpuMicros()).isPositive();
    assertThat(s.furtherCpuMicros()).isEqualTo(-1); // no further tree named
    assertThat(ProcStats.sample(List.of())).isNull();
    // a process named twice (or inside another named tree) counts once
    ProcStats.Sample twice = ProcStats.sample(List.of(SELF, SELF));
    assertThat(twice.cpuMicros()).isLessThanOrEqualTo(ProcStats.sample(List.of(SELF)).cpuMicros());
    assertThat(twice.furtherCpuMicros()).isZero();
  }

  /**
   * A detached process (its parent exited, as {@code pg_ctl}'s postmaster does) is not a
   * descendant: its CPU counts only when named after the server, and a named process that is gone
   * counts nothing.
   */
  @Test
  void furtherProcessTreesAddTheirCpu() throws Exception {
    Process launcher =
        new ProcessBuilder(
                "sh",
                "-c",
                "(i=0; while [ $i -lt 50000000 ]; do i=$((i+1)); done) >/dev/null 2>&1 & echo $!")
            .start();
    long detached =
        Long.parseLong(
            new String(launcher.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
    assertThat(launcher.waitFor()).isZero();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> ProcStats.sample(List.of(detached)).cpuMicros() >= 50_000);
      long detachedCpu = ProcStats.sample(List.of(detached)).cpuMicros();
      ProcStats.Sample self = ProcStats.sample(List.of(SELF));
      ProcStats.Sample both = ProcStats.sample(List.of(SELF, detached));
      assertThat(both.cpuMicros()).isGreaterThanOrEqualTo(self.cpuMicros() + detachedCpu);
      // the further tree's share is its own CPU, not the server's
      assertThat(both.furtherCpuMicros()).isGreaterThanOrEqualTo(detachedCpu);
      assertThat(both.furtherCpuMicros())
          .isLessThanOrEqualTo(ProcStats.sample(List.of(detached)).cpuMicros());
      assertThat(both.rssKb()).isPositive();
    } finally {
      ProcessHandle.of(detached).ifPresent(ProcessHandle::destroyForcibly);
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> ProcessHandle.of(detached).map(h -> !h.isAlive()).orElse(true));
    ProcStats.Sample gone = ProcStats.sample(List.of(SELF, detached));
    assertThat(gone).isNotNull();
    assertThat(gone.cpuMicros()).isLessThan(ProcStats.sample(List.of(SELF)).cpuMicros() + 50_000);
    assertThat(gone.furtherCpuMicros()).isZero();
  }
}
