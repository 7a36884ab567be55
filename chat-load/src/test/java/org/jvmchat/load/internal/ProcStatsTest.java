package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
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
    ProcStats.Sample s = ProcStats.sample(ProcessHandle.current().pid());
    assertThat(s).isNotNull();
    assertThat(s.rssKb()).isPositive();
    assertThat(s.cpuMicros()).isPositive();
    assertThat(ProcStats.sample(null)).isNull();
  }
}
