package org.jvmchat.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.ScaleoutLifetimeManager;
import org.jvmchat.hub.spi.ScaleoutLifetimeManagers;
import org.jvmchat.hub.spi.ScaleoutOptions;
import org.jvmchat.hub.spi.UserGroupStore;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;

/**
 * The lifetime-manager contract for the scale-out manager on a given {@link Backplane}, plus what
 * happens when an instance loses its broker. A subclass provides one backplane per instance and a
 * way to cut and restore one instance's link to the broker. Channels get a prefix unique to each
 * test, so parallel runs on one broker never see each other.
 */
public abstract class ScaleoutHubLifetimeManagerContract extends HubLifetimeManagerContract {
  private final List<Backplane> backplanes = new ArrayList<>();
  private final List<ScaleoutLifetimeManager> scaleout = new ArrayList<>();

  /** How many server instances the suite runs (2 or 3). */
  protected abstract int instances();

  /** A new backplane for instance {@code index}, connected to the shared broker. */
  protected abstract Backplane newBackplane(int index) throws Exception;

  /**
   * The user group store of instance {@code index} (called after {@link #newBackplane}), shared
   * with the other instances the way the implementation shares it.
   */
  protected abstract UserGroupStore userGroupStore(int index) throws Exception;

  /** Cuts instance {@code index} off the broker (its connections drop, new ones fail). */
  protected abstract void cut(int index) throws Exception;

  /** Lets instance {@code index} reach the broker again. */
  protected abstract void restore(int index) throws Exception;

  /**
   * Whether the backplane keeps hub messages across an outage of the broker and delivers them once
   * it is back ({@link Backplane#deliver}, e.g. Redis in its stream mode) instead of losing them
   * (at-most-once, the default).
   */
  protected boolean keepsMessagesAcrossOutages() {
    return false;
  }

  protected Backplane backplane(int index) {
    return backplanes.get(index);
  }

  @Override
  protected List<HubLifetimeManager> createManagers(List<HubProtocol> protocols) throws Exception {
    String prefix = "contract-" + UUID.randomUUID() + ":";
    List<HubLifetimeManager> managers = new ArrayList<>();
    for (int i = 0; i < instances(); i++) {
      Backplane backplane = newBackplane(i);
      backplanes.add(backplane);
      ScaleoutOptions options =
          ScaleoutOptions.builder().channelPrefix(prefix).userGroupStore(userGroupStore(i)).build();
      ScaleoutLifetimeManager manager =
          ScaleoutLifetimeManagers.create(context("/hubs/contract", protocols), backplane, options);
      scaleout.add(manager);
      managers.add(manager);
    }
    return managers;
  }

  @Override
  protected void afterManagersClosed() throws Exception {
    for (Backplane b : backplanes) {
      b.close();
    }
    backplanes.clear();
    scaleout.clear();
  }

  // ------------------------------------------------------------------ losing the broker

  @Test
  void whileTheBrokerIsUnreachableLocalDeliveryContinuesAndRemoteMessagesAreLost()
      throws Exception {
    FakeConnection a = connect(0, "alice");
    FakeConnection a2 = connect(0);
    FakeConnection b = connect(1, "alice");
    get(instance(0).addToGroup(a.connectionId(), "room"));
    get(instance(1).addToGroup(b.connectionId(), "room"));

    cut(0);
    await().atMost(TIMEOUT).until(() -> !instance(0).isHealthy());
    assertThat(backplane(0).status().connected()).isFalse();
    assertThat(instance(1).isHealthy()).isTrue();

    get(instance(0).sendAll("During", new Object[] {"all"}, List.of()));
    get(instance(0).sendGroup("room", "During", new Object[] {"group"}, List.of()));
    get(instance(0).sendUser("alice", "During", new Object[] {"user"}));
    get(instance(0).sendConnection(a2.connectionId(), "During", new Object[] {"direct"}));

    assertThat(a.argumentsOf("During")).containsExactly("all", "group", "user");
    assertThat(a2.argumentsOf("During")).containsExactly("all", "direct");
    if (!keepsMessagesAcrossOutages()) {
      assertThat(scaleout.get(0).publishFailures()).isGreaterThanOrEqualTo(3);
    }

    restore(0);
    await().atMost(TIMEOUT).until(() -> instance(0).isHealthy());
    fence();
    if (keepsMessagesAcrossOutages()) {
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(b.argumentsOf("During"))
                      .as("kept during the outage, delivered after it in order, once")
                      .containsExactly("all", "group", "user"));
    } else {
      assertThat(b.argumentsOf("During")).as("at-most-once: lost, never replayed").isEmpty();
    }
  }

  @Test
  void afterTheBrokerIsBackDeliveryResumesIncludingGroupsJoinedDuringTheOutage() throws Exception {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);

    cut(0);
    await().atMost(TIMEOUT).until(() -> !instance(0).isHealthy());
    get(instance(0).addToGroup(a.connectionId(), "joined-while-down"));
    FakeConnection late = connect(0, "late-user");

    restore(0);
    await().atMost(TIMEOUT).until(() -> instance(0).isHealthy());
    get(instance(1).sendAll("Back", new Object[] {"all"}, List.of()));
    get(instance(1).sendGroup("joined-while-down", "Back", new Object[] {"group"}, List.of()));
    get(instance(1).sendUser("late-user", "Back", new Object[] {"user"}));
    get(instance(1).sendConnection(late.connectionId(), "Back", new Object[] {"direct"}));
    get(instance(0).sendConnection(b.connectionId(), "Back", new Object[] {"to-b"}));
    fence();

    assertThat(a.argumentsOf("Back")).containsExactly("all", "group");
    assertThat(late.argumentsOf("Back")).containsExactly("all", "user", "direct");
    assertThat(b.argumentsOf("Back")).containsExactly("all", "to-b");
  }

  @Test
  void operationsThatNeedAnotherInstanceFailWhileTheBrokerIsUnreachable() throws Exception {
    FakeConnection b = connect(1);

    cut(0);
    await().atMost(TIMEOUT).until(() -> !instance(0).isHealthy());

    assertThat(failure(instance(0).addToGroup(b.connectionId(), "room")))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("the backplane is unavailable");
    assertThat(
            failure(
                instance(0)
                    .invokeConnection(b.connectionId(), "X", new Object[0], String.class, TIMEOUT)))
        .isInstanceOf(HubException.class)
        .hasMessage(
            "Could not reach connection '" + b.connectionId() + "': the backplane is unavailable.");
    restore(0);
    await().atMost(TIMEOUT).until(() -> instance(0).isHealthy());
  }
}
