package org.jvmchat.hub.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubException;
import org.jvmchat.hub.HubUser;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;

/**
 * The behaviour every {@link HubLifetimeManager} must have, whatever carries its messages (in
 * process, a backplane): extend it and implement {@link #newManager()}. Deliveries are awaited,
 * never assumed synchronous, so asynchronous managers pass too; "nothing else arrived" is checked
 * after a later message to the same connection has arrived (per-connection order).
 */
public abstract class HubLifetimeManagerContract {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<HubLifetimeManager> managers = new ArrayList<>();

  /** A new manager for one hub; closed after each test. */
  protected abstract HubLifetimeManager newManager();

  protected HubLifetimeManager manager() {
    HubLifetimeManager m = newManager();
    managers.add(m);
    return m;
  }

  @BeforeEach
  void fastPolling() {
    org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
    org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
  }

  @AfterEach
  void closeManagers() {
    managers.forEach(HubLifetimeManager::close);
  }

  /** A connection that records the invocations written to it, as the JSON protocol sees them. */
  protected static final class RecordingConnection implements HubConnectionContext {
    private static final HubProtocol JSON = new JsonHubProtocol();
    private final String id;
    private final HubUser user;
    private final List<InvocationMessage> received = new ArrayList<>();

    public RecordingConnection(String id, String userId) {
      this.id = id;
      this.user = userId == null ? null : HubUser.of(userId, userId);
    }

    @Override
    public String connectionId() {
      return id;
    }

    @Override
    public HubUser user() {
      return user;
    }

    @Override
    public HubProtocol protocol() {
      return JSON;
    }

    @Override
    public boolean write(SerializedHubMessage message) {
      HubMessage m =
          JSON.tryParse(ByteBuffer.wrap(message.bytes(JSON)), InvocationBinder.GENERIC, 0);
      synchronized (received) {
        received.add((InvocationMessage) m);
      }
      return true;
    }

    @Override
    public void close(String error, boolean allowReconnect) {}

    public List<InvocationMessage> received() {
      synchronized (received) {
        return new ArrayList<>(received);
      }
    }

    /** The first arguments of every invocation of {@code target}, in order. */
    public List<Object> args(String target) {
      List<Object> out = new ArrayList<>();
      for (InvocationMessage m : received()) {
        if (m.target().equals(target)) {
          out.add(m.arguments().get(0));
        }
      }
      return out;
    }
  }

  protected static RecordingConnection connect(HubLifetimeManager m, String id, String user) {
    RecordingConnection c = new RecordingConnection(id, user);
    join(m.onConnected(c));
    return c;
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Sends a marker to {@code c} and waits for it: everything sent to c before has arrived. */
  private static void settle(HubLifetimeManager m, RecordingConnection c) {
    join(m.sendConnection(c.connectionId(), "marker", new Object[] {"m"}));
    await().atMost(WAIT).until(() -> c.args("marker").size() > 0);
  }

  private static void awaitArgs(RecordingConnection c, String target, Object... expected) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(c.args(target)).containsExactly(expected));
  }

  @Test
  void sendAllReachesEveryoneButTheExcluded() {
    HubLifetimeManager m = manager();
    RecordingConnection a = connect(m, "a", null);
    RecordingConnection b = connect(m, "b", null);
    join(m.sendAll("hello", new Object[] {1}, List.of()));
    awaitArgs(a, "hello", 1);
    awaitArgs(b, "hello", 1);
    join(m.sendAll("hello", new Object[] {2}, List.of("a")));
    awaitArgs(b, "hello", 1, 2);
    settle(m, a);
    assertThat(a.args("hello")).containsExactly(1);
  }

  @Test
  void sendConnectionAndConnections() {
    HubLifetimeManager m = manager();
    RecordingConnection a = connect(m, "a", null);
    RecordingConnection b = connect(m, "b", null);
    RecordingConnection c = connect(m, "c", null);
    join(m.sendConnection("b", "one", new Object[] {"x"}));
    join(m.sendConnections(List.of("a", "c"), "two", new Object[] {"y"}));
    awaitArgs(b, "one", "x");
    awaitArgs(a, "two", "y");
    awaitArgs(c, "two", "y");
    settle(m, b);
    assertThat(b.args("two")).isEmpty();
  }

  @Test
  void groupsAddRemoveAndExclusions() {
    HubLifetimeManager m = manager();
    RecordingConnection a = connect(m, "a", null);
    RecordingConnection b = connect(m, "b", null);
    RecordingConnection c = connect(m, "c", null);
    join(m.addToGroup("a", "g"));
    join(m.addToGroup("b", "g"));
    join(m.sendGroup("g", "g1", new Object[] {1}, List.of()));
    awaitArgs(a, "g1", 1);
    awaitArgs(b, "g1", 1);
    join(m.sendGroup("g", "g2", new Object[] {2}, List.of("a")));
    awaitArgs(b, "g2", 2);
    join(m.removeFromGroup("b", "g"));
    join(m.sendGroup("g", "g3", new Object[] {3}, List.of()));
    awaitArgs(a, "g3", 3);
    settle(m, a);
    settle(m, b);
    settle(m, c);
    assertThat(a.args("g2")).isEmpty();
    assertThat(b.args("g3")).isEmpty();
    assertThat(c.received()).extracting(InvocationMessage::target).containsOnly("marker");
  }

  @Test
  void sendGroupsDeliversOncePerConnection() {
    HubLifetimeManager m = manager();
    RecordingConnection a = connect(m, "a", null);
    join(m.addToGroup("a", "g1"));
    join(m.addToGroup("a", "g2"));
    join(m.sendGroups(List.of("g1", "g2"), "both", new Object[] {1}));
    awaitArgs(a, "both", 1);
    settle(m, a);
    assertThat(a.args("both")).containsExactly(1);
  }

  @Test
  void usersReachEveryConnectionOfTheUser() {
    HubLifetimeManager m = manager();
    RecordingConnection a1 = connect(m, "a1", "alice");
    RecordingConnection a2 = connect(m, "a2", "alice");
    RecordingConnection b = connect(m, "b", "bob");
    RecordingConnection anon = connect(m, "n", null);
    join(m.sendUser("alice", "u", new Object[] {1}));
    awaitArgs(a1, "u", 1);
    awaitArgs(a2, "u", 1);
    join(m.sendUsers(List.of("alice", "bob"), "us", new Object[] {2}));
    awaitArgs(a1, "us", 2);
    awaitArgs(b, "us", 2);
    settle(m, b);
    settle(m, anon);
    assertThat(b.args("u")).isEmpty();
    assertThat(anon.received()).extracting(InvocationMessage::target).containsOnly("marker");
  }

  @Test
  void aDisconnectedConnectionLeavesItsGroupsAndUser() {
    HubLifetimeManager m = manager();
    RecordingConnection a = connect(m, "a", "alice");
    RecordingConnection b = connect(m, "b", "bob");
    join(m.addToGroup("a", "g"));
    join(m.onDisconnected(a));
    join(m.sendGroup("g", "g", new Object[] {1}, List.of()));
    join(m.sendUser("alice", "u", new Object[] {1}));
    join(m.sendAll("all", new Object[] {1}, List.of()));
    awaitArgs(b, "all", 1);
    assertThat(a.received()).isEmpty();
  }

  @Test
  void clientResultCompletesWithTheClientsAnswer() {
    HubLifetimeManager m = manager();
    RecordingConnection a = connect(m, "a", null);
    CompletableFuture<Integer> result =
        m.invokeConnection("a", "compute", new Object[] {2}, Integer.class, WAIT);
    await().atMost(WAIT).until(() -> !a.received().isEmpty());
    InvocationMessage call = a.received().get(0);
    assertThat(call.target()).isEqualTo("compute");
    assertThat(call.invocationId()).isNotNull();
    assertThat(m.resultType("a", call.invocationId())).isEqualTo(Integer.class);
    m.setConnectionResult("a", CompletionMessage.withResult(call.invocationId(), 4));
    assertThat(join(result)).isEqualTo(4);
  }

  @Test
  void clientResultErrorTimeoutDisconnectAndUnknownConnectionFail() {
    HubLifetimeManager m = manager();
    RecordingConnection a = connect(m, "a", null);
    CompletableFuture<String> error =
        m.invokeConnection("a", "x", new Object[0], String.class, WAIT);
    await().atMost(WAIT).until(() -> a.received().size() == 1);
    m.setConnectionResult(
        "a", CompletionMessage.withError(a.received().get(0).invocationId(), "client failed"));
    assertThatThrownBy(() -> join(error))
        .hasRootCauseInstanceOf(HubException.class)
        .hasRootCauseMessage("client failed");

    CompletableFuture<String> timeout =
        m.invokeConnection("a", "x", new Object[0], String.class, Duration.ofMillis(200));
    assertThatThrownBy(() -> join(timeout)).hasRootCauseInstanceOf(HubException.class);

    CompletableFuture<String> disconnect =
        m.invokeConnection("a", "x", new Object[0], String.class, WAIT);
    await().atMost(WAIT).until(() -> a.received().size() == 3);
    join(m.onDisconnected(a));
    assertThatThrownBy(() -> join(disconnect))
        .hasRootCauseInstanceOf(HubException.class)
        .hasRootCauseMessage("Connection 'a' disconnected.");

    CompletableFuture<String> unknown =
        m.invokeConnection("nobody", "x", new Object[0], String.class, WAIT);
    assertThatThrownBy(() -> join(unknown)).hasRootCauseInstanceOf(HubException.class);
  }
}
