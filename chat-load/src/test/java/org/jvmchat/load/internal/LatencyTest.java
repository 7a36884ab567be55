package org.jvmchat.load.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyTest {
  private static final long MS = 1_000_000L;

  @Test
  void fixedRateStampsTheIntendedTimeEvenWhenSentLate() {
    Pacer p = new Pacer(1000 * MS, 100, 2000 * MS); // every 10 ms from t=1 s to t=2 s
    assertThat(p.fixedRate()).isTrue();
    assertThat(p.intended(0)).isEqualTo(1000 * MS);
    assertThat(p.intended(5)).isEqualTo(1050 * MS);
    // message 5 goes out 30 ms late: its content carries the intended time
    assertThat(p.stamp(5, 1080 * MS)).isEqualTo(1050 * MS);
    assertThat(p.due(5, 1049 * MS)).isFalse();
    assertThat(p.due(5, 1050 * MS)).isTrue();
    assertThat(p.finished(99, 1990 * MS)).isFalse();
    assertThat(p.finished(100, 1990 * MS)).isTrue(); // intended(100) = 2 s, the end
    assertThat(p.due(100, 2000 * MS)).isFalse();
  }

  @Test
  void maxRateStampsTheActualSendTime() {
    Pacer p = new Pacer(0, 0, 100 * MS);
    assertThat(p.fixedRate()).isFalse();
    assertThat(p.stamp(7, 42 * MS)).isEqualTo(42 * MS);
    assertThat(p.due(1_000_000, 99 * MS)).isTrue();
    assertThat(p.due(0, 100 * MS)).isFalse();
  }

  @Test
  void aLateSendCountsItsDelayAsLatency() {
    LatencyRecorder r = new LatencyRecorder();
    r.window(1000 * MS, 2000 * MS);
    Pacer p = new Pacer(1000 * MS, 100, 2000 * MS);
    long stamp = p.stamp(5, 1080 * MS); // sent 30 ms late
    assertThat(r.record(stamp, 1082 * MS)).isTrue(); // arrives 2 ms after the actual send
    assertThat(r.record(500 * MS, 1001 * MS)).isFalse(); // sent before the window: not recorded
    assertThat(r.record(2000 * MS, 2001 * MS)).isFalse(); // sent at the end: not recorded
    Histogram h = r.merged();
    assertThat(h.getTotalCount()).isEqualTo(1);
    assertThat(LatencyRecorder.percentileMs(h, 50))
        .isCloseTo(32.0, org.assertj.core.data.Offset.offset(0.05));
  }

  @Test
  void recordingsFromSeveralThreadsAreMerged() throws InterruptedException {
    LatencyRecorder r = new LatencyRecorder();
    r.window(0, Long.MAX_VALUE);
    Thread a = new Thread(() -> r.record(0, 1 * MS));
    Thread b = new Thread(() -> r.record(0, 3 * MS));
    a.start();
    b.start();
    a.join();
    b.join();
    Histogram h = r.merged();
    assertThat(h.getTotalCount()).isEqualTo(2);
    assertThat(LatencyRecorder.maxMs(h)).isCloseTo(3.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(LatencyRecorder.percentileMs(new Histogram(3), 50)).isNull();
  }
}
