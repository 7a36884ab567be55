package org.jvmchat.server.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.jvmchat.server.config.SettingsException;

/** {@code REDIS_BACKPLANE_REPLAY}: the bound of the Redis backplane's stream mode. */
class ScaleoutModesTest {
  @Test
  void unsetOrBlankIsTheDefaultBound() {
    assertThat(ScaleoutModes.replay(null))
        .isEqualTo(RedisScaleout.DEFAULT_REPLAY)
        .isEqualTo(10_000);
    assertThat(ScaleoutModes.replay("  ")).isEqualTo(10_000);
  }

  @Test
  void aWholeNumberIsTheBoundAndZeroMeansPubSub() {
    assertThat(ScaleoutModes.replay("0")).isZero();
    assertThat(ScaleoutModes.replay(" 250 ")).isEqualTo(250);
    assertThat(ScaleoutModes.replay("1_000_000")).isEqualTo(1_000_000);
  }

  @Test
  void anythingElseStopsTheStartWithOneReadableLine() {
    for (String bad : new String[] {"-1", "ten", "10000001", "1.5"}) {
      assertThatThrownBy(() -> ScaleoutModes.replay(bad))
          .isInstanceOf(SettingsException.class)
          .hasMessage(
              "REDIS_BACKPLANE_REPLAY must be a whole number of messages from 0 (pub/sub,"
                  + " at-most-once) to 10000000, was '"
                  + bad
                  + "'");
    }
  }
}
