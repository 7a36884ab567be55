package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqTrackerTest {
  @Test
  void oneMissingAndOneTwiceGiveOneLostAndOneDuplicated() {
    SeqTracker t = new SeqTracker();
    for (int seq = 0; seq < 100; seq++) {
      if (seq == 17) {
        continue;
      }
      t.add(seq);
      if (seq == 42) {
        assertThat(t.add(seq)).isFalse();
      }
    }
    assertThat(t.lost(100)).isEqualTo(1);
    assertThat(t.duplicated()).isEqualTo(1);
    assertThat(t.distinct()).isEqualTo(99);
  }

  @Test
  void lostCountsOnlyBelowWhatWasSent() {
    SeqTracker t = new SeqTracker();
    t.add(0);
    t.add(1);
    assertThat(t.lost(2)).isZero();
    assertThat(t.lost(5)).isEqualTo(3);
    assertThat(t.lost(0)).isZero();
  }

  @Test
  void outOfOrderArrivalsAreNeitherLostNorDuplicated() {
    SeqTracker t = new SeqTracker();
    for (int seq : new int[] {3, 0, 2, 1}) {
      assertThat(t.add(seq)).isTrue();
    }
    assertThat(t.lost(4)).isZero();
    assertThat(t.duplicated()).isZero();
  }
}
