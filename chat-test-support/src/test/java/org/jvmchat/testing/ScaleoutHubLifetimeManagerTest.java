package org.jvmchat.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.ScaleoutLifetimeManager;
import org.jvmchat.hub.spi.ScaleoutLifetimeManagers;
import org.jvmchat.hub.spi.ScaleoutOptions;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/** Scale-out behaviour beyond the shared contract, on the in-memory backplane. */
class ScaleoutHubLifetimeManagerTest {
  private static final List<HubProtocol> PROTOCOLS =
      List.of(new JsonHubProtocol(), new MessagePackHubProtocol());
  private static final String HUB = "/hubs/t";
  private final LocalBackplane.Broker broker = new LocalBackplane.Broker();
  private final ServerThreads threads = new ServerThreads();
  // Closed last to first: the server's threads outlive every manager.
  private final List<AutoCloseable> toClose = new ArrayList<>(List.of(threads));

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private LocalBackplane backplane() {
    LocalBackplane b = broker.connect();
    toClose.add(b);
    return b;
  }

  private ScaleoutLifetimeManager manager(LocalBackplane b, ScaleoutOptions options) {
    ScaleoutLifetimeManager m =
        ScaleoutLifetimeManagers.create(threads.context(HUB, PROTOCOLS), b, options);
    toClose.add(m);
    return m;
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  private static List<String> recorder(LocalBackplane b, String channel, List<String> into)
      throws Exception {
    get(b.subscribe(channel, bytes -> into.add(channel)));
    return into;
  }

  @Test
  void channelsAreNamedFromThePrefixAndTheHub() throws Exception {
    LocalBackplane spy = backplane();
    List<String> seen = new CopyOnWriteArrayList<>();
    for (String c :
        List.of(
            "app:/hubs/t:all",
            "app:/hubs/t:group:room",
            "app:/hubs/t:user:alice",
            "app:/hubs/t:connection:elsewhere")) {
      recorder(spy, c, seen);
    }
    HubLifetimeManager m =
        manager(backplane(), ScaleoutOptions.builder().channelPrefix("app:").build());

    get(m.sendAll("M", new Object[0], List.of()));
    get(m.sendGroup("room", "M", new Object[0], List.of()));
    get(m.sendUser("alice", "M", new Object[0]));
    get(m.sendConnection("elsewhere", "M", new Object[0]));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(seen)
                    .containsExactly(
                        "app:/hubs/t:all",
                        "app:/hubs/t:group:room",
                        "app:/hubs/t:user:alice",
                        "app:/hubs/t:connection:elsewhere"));
  }

  @Test
  void aGroupChangeFailsWhenTheHolderNeverAcknowledges() throws Exception {
    LocalBackplane silent = backplane();
    get(silent.subscribe(HUB + ":connection:ghost", bytes -> {}));
    HubLifetimeManager m =
        manager(
            backplane(), ScaleoutOptions.builder().groupAckTimeout(Duration.ofMillis(300)).build());

    CompletableFuture<Void> add = m.addToGroup("ghost", "room");

    assertThatThrownBy(() -> get(add))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(HubException.class)
        .hasMessage(
            "Timed out after 300 ms waiting for the server holding connection 'ghost' to"
                + " acknowledge adding it to group 'room'.");
  }

  @Test
  void unreadablePayloadsAreDroppedAndCountedAndDeliveryGoesOn() throws Exception {
    LocalBackplane b = backplane();
    ScaleoutLifetimeManager m = manager(b, ScaleoutOptions.defaults());
    ScaleoutLifetimeManager other = manager(backplane(), ScaleoutOptions.defaults());
    FakeConnection c = new FakeConnection("c1", null, PROTOCOLS.get(0)).heldBy(m);
    get(m.onConnected(c));

    get(backplane().publish(HUB + ":all", new byte[] {(byte) 0xc1}));
    get(other.sendAll("After", new Object[] {"ok"}, List.of()));

    await().atMost(Duration.ofSeconds(10)).until(() -> c.argumentsOf("After").contains("ok"));
    assertThat(m.invalidPayloads()).isEqualTo(1);
  }

  @Test
  void publishFailuresAreCountedWhileLocalDeliveryContinues() throws Exception {
    LocalBackplane b = backplane();
    ScaleoutLifetimeManager m = manager(b, ScaleoutOptions.defaults());
    FakeConnection c = new FakeConnection("c1", null, PROTOCOLS.get(1)).heldBy(m);
    get(m.onConnected(c));
    b.disconnect();

    get(m.sendAll("A", new Object[] {1}, List.of()));
    get(m.sendConnections(List.of("c1", "remote"), "B", new Object[] {2}));

    assertThat(c.argumentsOf("A")).containsExactly(1);
    assertThat(c.argumentsOf("B")).containsExactly(2);
    assertThat(m.publishFailures()).isEqualTo(2);
    assertThat(m.isHealthy()).isFalse();
    assertThat(b.status().publishFailures()).isEqualTo(2);
  }

  @Test
  void closingFailsWhatIsStillPendingAndIsIdempotent() throws Exception {
    LocalBackplane b1 = backplane();
    ScaleoutLifetimeManager holder = manager(backplane(), ScaleoutOptions.defaults());
    ScaleoutLifetimeManager caller = manager(b1, ScaleoutOptions.defaults());
    FakeConnection remote = new FakeConnection("r1", null, PROTOCOLS.get(0)).heldBy(holder);
    get(holder.onConnected(remote));
    CompletableFuture<String> pending =
        caller.invokeConnection("r1", "Never", new Object[0], String.class, Duration.ofMinutes(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> !remote.invocations().isEmpty());

    caller.close();
    caller.close();

    assertThatThrownBy(() -> get(pending))
        .cause()
        .isInstanceOf(HubException.class)
        .hasMessageContaining("r1");
    assertThatThrownBy(
            () ->
                get(
                    caller.invokeConnection(
                        "r1", "X", new Object[0], String.class, Duration.ofSeconds(1))))
        .cause()
        .hasMessageContaining("was closed");
  }

  @Test
  void racingJoinsAndLeavesSettleOnTheRightSubscriptions() throws Exception {
    LocalBackplane b = backplane();
    LocalBackplane probe = backplane();
    ScaleoutLifetimeManager m = manager(b, ScaleoutOptions.defaults());
    List<FakeConnection> connections = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      FakeConnection c = new FakeConnection("c" + i, null, PROTOCOLS.get(0)).heldBy(m);
      get(m.onConnected(c));
      connections.add(c);
    }
    List<CompletableFuture<Void>> changes = new ArrayList<>();
    for (int round = 0; round < 50; round++) {
      for (FakeConnection c : connections) {
        changes.add(m.addToGroup(c.connectionId(), "g" + (round % 3)));
        changes.add(m.removeFromGroup(c.connectionId(), "g" + (round % 3)));
      }
    }
    changes.add(m.addToGroup("c3", "g1"));
    get(CompletableFuture.allOf(changes.toArray(CompletableFuture[]::new)));

    assertThat(get(probe.publish(HUB + ":group:g0", new byte[0]))).isZero();
    assertThat(get(probe.publish(HUB + ":group:g1", new byte[0]))).isEqualTo(1);
    assertThat(get(probe.publish(HUB + ":group:g2", new byte[0]))).isZero();
    for (FakeConnection c : connections) {
      m.onDisconnected(c).get(10, TimeUnit.SECONDS);
    }
    assertThat(get(probe.publish(HUB + ":group:g1", new byte[0]))).isZero();
    assertThat(get(probe.publish(HUB + ":connection:c1", new byte[0]))).isZero();
    assertThat(get(probe.publish(HUB + ":all", new byte[0]))).isEqualTo(1);
  }

  @Test
  void optionsAreValidated() {
    assertThatThrownBy(() -> ScaleoutOptions.builder().groupAckTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groupAckTimeout");
    assertThatThrownBy(() -> ScaleoutOptions.builder().deduplicationWindow(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ScaleoutOptions.builder().channelPrefix(null).build())
        .isInstanceOf(NullPointerException.class);
    ScaleoutOptions o = ScaleoutOptions.builder().channelPrefix("p:").build();
    assertThat(o.toBuilder().build().toString()).isEqualTo(o.toString());
    assertThat(ScaleoutOptions.defaults().groupAckTimeout()).isEqualTo(Duration.ofSeconds(30));
  }
}
