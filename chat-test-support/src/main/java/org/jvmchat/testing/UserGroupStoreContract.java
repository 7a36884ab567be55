package org.jvmchat.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.spi.UserGroupStore;

/**
 * The contract of a {@link UserGroupStore}: the rules of Azure SignalR Service's user groups (a
 * membership with a time to live expires; without one it lasts a year at most and only the 100
 * latest are kept), scopes and users kept apart. Each test uses a scope of its own.
 */
public abstract class UserGroupStoreContract {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The store under test (may be shared between tests). */
  protected abstract UserGroupStore store();

  private final String scope = "contract-" + UUID.randomUUID();

  private static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("Did not complete normally in " + TIMEOUT, e);
    }
  }

  @Test
  void addedGroupsAreReadBackWithTheirExpiry() {
    Instant before = Instant.now();
    get(store().add(scope, "alice", "forever", null));
    get(store().add(scope, "alice", "hour", Duration.ofHours(1)));

    Map<String, Instant> groups = get(store().groups(scope, "alice"));

    assertThat(groups).containsOnlyKeys("forever", "hour");
    assertThat(groups.get("hour"))
        .isBetween(before.plus(Duration.ofMinutes(59)), before.plus(Duration.ofMinutes(61)));
    assertThat(groups.get("forever"))
        .isAfter(before.plus(UserGroupStore.LONGEST_MEMBERSHIP).minus(Duration.ofMinutes(1)));
    assertThat(get(store().groups(scope, "bob"))).isEmpty();
    assertThat(get(store().groups(scope + "-other", "alice"))).isEmpty();
  }

  @Test
  void aMembershipWithATimeToLiveExpires() {
    get(store().add(scope, "alice", "brief", Duration.ofMillis(200)));
    get(store().add(scope, "alice", "long", Duration.ofMinutes(5)));
    assertThat(get(store().groups(scope, "alice"))).containsOnlyKeys("brief", "long");

    await().atMost(TIMEOUT).until(() -> !get(store().groups(scope, "alice")).containsKey("brief"));
    assertThat(get(store().groups(scope, "alice"))).containsOnlyKeys("long");
    assertThat(get(store().remove(scope, "alice", "brief"))).isFalse();
  }

  @Test
  void aLaterAddReplacesTheExpiry() {
    get(store().add(scope, "alice", "g", Duration.ofMillis(200)));
    get(store().add(scope, "alice", "marker", Duration.ofMillis(200)));
    get(store().add(scope, "alice", "g", null));

    await().atMost(TIMEOUT).until(() -> !get(store().groups(scope, "alice")).containsKey("marker"));
    assertThat(get(store().groups(scope, "alice"))).containsOnlyKeys("g");
  }

  @Test
  void onlyTheLatestHundredGroupsWithoutTimeToLiveAreKept() {
    for (int i = 0; i <= UserGroupStore.MAX_GROUPS_WITHOUT_TTL; i++) {
      get(store().add(scope, "alice", "g" + i, null));
      if (i == 0) {
        // Added strictly before the others (stores may order by the time added, in ms).
        long added = System.currentTimeMillis();
        await().atMost(TIMEOUT).until(() -> System.currentTimeMillis() > added + 1);
      }
    }
    get(store().add(scope, "alice", "with-ttl", Duration.ofMinutes(1)));

    Map<String, Instant> groups = get(store().groups(scope, "alice"));

    assertThat(groups).hasSize(UserGroupStore.MAX_GROUPS_WITHOUT_TTL + 1);
    assertThat(groups).doesNotContainKey("g0").containsKeys("g1", "g100", "with-ttl");
  }

  @Test
  void removeTakesOneMembershipAndSaysWhetherThereWasOne() {
    get(store().add(scope, "alice", "a", null));
    get(store().add(scope, "alice", "b", Duration.ofMinutes(1)));

    assertThat(get(store().remove(scope, "alice", "a"))).isTrue();
    assertThat(get(store().remove(scope, "alice", "a"))).isFalse();
    assertThat(get(store().remove(scope, "bob", "b"))).isFalse();
    assertThat(get(store().groups(scope, "alice"))).containsOnlyKeys("b");
  }

  @Test
  void removeAllTakesEveryMembershipAndNamesThem() {
    get(store().add(scope, "alice", "a", null));
    get(store().add(scope, "alice", "b", Duration.ofMinutes(1)));
    get(store().add(scope, "bob", "a", null));

    assertThat(get(store().removeAll(scope, "alice"))).containsExactlyInAnyOrder("a", "b");
    assertThat(get(store().groups(scope, "alice"))).isEmpty();
    assertThat(get(store().removeAll(scope, "alice"))).isEmpty();
    assertThat(get(store().groups(scope, "bob"))).containsOnlyKeys("a");
  }

  @Test
  void namesAreKeptAsTheyAre() {
    String group = "Grüße / room #1 with spaces";
    get(store().add(scope, "user:with:colons", group, null));

    assertThat(get(store().groups(scope, "user:with:colons"))).containsOnlyKeys(group);
    assertThat(get(store().groups(scope, "user"))).isEmpty();
  }
}
