package org.jvmchat.hub.internal.lifetime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What the shared store contract cannot see: expired users never touched again are swept. */
class InMemoryUserGroupStoreTest {
  /** A clock the test moves. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void usersWhoseMembershipsExpiredAreSweptWithoutBeingTouched() {
    ManualClock clock = new ManualClock();
    InMemoryUserGroupStore store = new InMemoryUserGroupStore(clock);
    for (int i = 0; i < 10; i++) {
      store.add("hub", "gone-" + i, "g", Duration.ofSeconds(1)).join();
    }
    store.add("hub", "stays", "g", Duration.ofHours(1)).join();
    assertThat(store.userCount()).isEqualTo(11);

    clock.now = clock.now.plusSeconds(2);
    for (int i = 0; i < InMemoryUserGroupStore.SWEEP_EVERY; i++) {
      store.add("hub", "busy", "g" + (i % 10), Duration.ofHours(1)).join();
    }

    assertThat(store.userCount()).isEqualTo(2);
    assertThat(store.groups("hub", "stays").join()).containsOnlyKeys("g");
  }
}
