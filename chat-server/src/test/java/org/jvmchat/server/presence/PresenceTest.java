package org.jvmchat.server.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Presence}'s counting and grace, on the in-process store and on a failing one. */
class PresenceTest {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Presence> opened = new ArrayList<>();

  private Presence presence(SharedPresence shared, Duration grace) {
    Presence p = new Presence(shared, grace, Duration.ofSeconds(3));
    p.listener(
        new Presence.Listener() {
          @Override
          public void online(String userId, String userName, List<String> rooms) {
            events.add("online " + userId + " " + userName + " " + rooms);
          }

          @Override
          public void offline(String userId, String userName) {
            events.add("offline " + userId + " " + userName);
          }
        });
    opened.add(p);
    return p;
  }

  @AfterEach
  void close() {
    opened.forEach(Presence::close);
  }

  @Test
  void oneOnlineForManyDevicesOneOfflineAfterTheLastAndTheGrace() throws Exception {
    Presence p = presence(SharedPresence.inProcess(), Duration.ofMillis(200));
    p.connected("alice", "Alice", List.of("r-alice"));
    // a second device: no event, and the rooms are those of the first connection
    p.connected("alice", "Alice", List.of("r-alice", "r-later"));
    await(() -> events.size() == 1);
    assertThat(p.online()).containsExactly(Map.entry("alice", "Alice"));
    p.disconnected("alice");
    Thread.sleep(400);
    assertThat(events).containsExactly("online alice Alice [r-alice]");
    p.disconnected("alice");
    await(() -> events.size() == 2);
    assertThat(events).containsExactly("online alice Alice [r-alice]", "offline alice Alice");
    assertThat(p.online()).isEmpty();
  }

  @Test
  void aReconnectWithinTheGraceMakesNoNoise() throws Exception {
    Presence p = presence(SharedPresence.inProcess(), Duration.ofMillis(300));
    p.connected("bob", "Bob", List.of("r-bob"));
    await(() -> events.size() == 1);
    p.disconnected("bob");
    p.connected("bob", "Bob", List.of("r-bob"));
    Thread.sleep(600);
    assertThat(events).containsExactly("online bob Bob [r-bob]");
    assertThat(p.online()).containsKey("bob");
  }

  @Test
  void aFailingSharedStoreIsLoggedAndSkippedAndExpiredUsersGoOffline() throws Exception {
    List<Map.Entry<String, String>> expired = new CopyOnWriteArrayList<>();
    expired.add(Map.entry("carol", "Carol"));
    SharedPresence failing =
        new SharedPresence() {
          @Override
          public boolean held(String userId, String userName) {
            throw new IllegalStateException("redis down");
          }

          @Override
          public boolean released(String userId) {
            throw new IllegalStateException("redis down");
          }

          @Override
          public void refresh(Map<String, String> held) {}

          @Override
          public List<Map.Entry<String, String>> expired() {
            List<Map.Entry<String, String>> gone = List.copyOf(expired);
            expired.clear();
            return gone;
          }

          @Override
          public Map<String, String> online() {
            return Map.of();
          }

          @Override
          public String name() {
            return "failing";
          }
        };
    Presence p = presence(failing, Duration.ofMillis(50));
    p.connected("dave", "Dave", List.of("r-dave"));
    p.disconnected("dave");
    // the sweep (every lease / 3 = 1 s) reports the expired user once
    await(() -> events.contains("offline carol Carol"));
    Thread.sleep(300);
    assertThat(events).containsExactly("offline carol Carol");
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(10);
    }
  }
}
