package org.jvmchat.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * The contract every {@link HubLifetimeManager} must pass (the idea of ASP.NET Core's {@code
 * ScaleoutHubLifetimeManagerTests}). A subclass says how to make the managers of one hub as seen by
 * several server instances that share state; a single-instance manager returns one manager and
 * every "instance" below is then that one. Connections are {@link FakeConnection}s that record what
 * they receive, half of them speaking JSON and half MessagePack.
 *
 * <p>"Nothing else arrived" is checked deterministically with a fence: after the operation under
 * test, every instance broadcasts a fence message, and once every connection has every fence,
 * anything the operation caused has arrived too (one publisher's messages are delivered in order).
 */
public abstract class HubLifetimeManagerContract {
  /** The target of fence messages (filtered out of {@link FakeConnection#invocations()}). */
  public static final String FENCE = "__fence";

  protected static final HubProtocol JSON = new JsonHubProtocol();
  protected static final HubProtocol MSGPACK = new MessagePackHubProtocol();
  protected static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A typed client result, bound from whatever the client sent. */
  public record Point(int x, int y) {}

  private List<HubLifetimeManager> managers;
  private final List<FakeConnection> open = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger fences = new AtomicInteger();
  private ExecutorService clientThreads;
  private ServerThreads serverThreads;

  /**
   * The managers of one hub, one per server instance (at least one), sharing state the way the
   * implementation does across instances. Called before each test.
   */
  protected abstract List<HubLifetimeManager> createManagers(List<HubProtocol> protocols)
      throws Exception;

  /** Called after each test once the managers are closed, e.g. to close backplanes. */
  protected void afterManagersClosed() throws Exception {}

  /**
   * What a server hands a lifetime-manager factory: the hub and this test's executor and scheduler,
   * shut down after {@link #afterManagersClosed()}.
   */
  protected HubLifetimeManagerFactory.Context context(String hubName, List<HubProtocol> protocols) {
    return serverThreads.context(hubName, protocols);
  }

  @BeforeEach
  void createManagersForTest() throws Exception {
    clientThreads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-client");
              t.setDaemon(true);
              return t;
            });
    serverThreads = new ServerThreads();
    managers = createManagers(List.of(JSON, MSGPACK));
    assertThat(managers).isNotEmpty();
  }

  @AfterEach
  void closeManagers() throws Exception {
    for (HubLifetimeManager m : distinctManagers()) {
      m.close();
    }
    afterManagersClosed();
    serverThreads.close();
    clientThreads.shutdownNow();
    assertThat(clientThreads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  // ------------------------------------------------------------------ helpers

  /** The manager of instance {@code i} (modulo the number of instances). */
  protected HubLifetimeManager instance(int i) {
    return managers.get(i % managers.size());
  }

  protected int instanceCount() {
    return managers.size();
  }

  private List<HubLifetimeManager> distinctManagers() {
    Map<HubLifetimeManager, Boolean> seen = new IdentityHashMap<>();
    List<HubLifetimeManager> list = new ArrayList<>();
    for (HubLifetimeManager m : managers) {
      if (seen.put(m, Boolean.TRUE) == null) {
        list.add(m);
      }
    }
    return list;
  }

  /** Connects a new connection of {@code user} (may be null) to instance {@code i}. */
  protected FakeConnection connect(int i, String user) {
    return connect(i, user, ids.get() % 2 == 0 ? JSON : MSGPACK);
  }

  /** Connects a new connection speaking {@code protocol}. */
  protected FakeConnection connect(int i, String user, HubProtocol protocol) {
    int n = ids.incrementAndGet();
    FakeConnection c =
        new FakeConnection("conn-" + n, user == null ? null : HubUser.of(user, user), protocol)
            .heldBy(instance(i));
    get(instance(i).onConnected(c));
    open.add(c);
    return c;
  }

  protected FakeConnection connect(int i) {
    return connect(i, null);
  }

  protected void disconnect(int i, FakeConnection c) {
    c.markClosed();
    open.remove(c);
    get(instance(i).onDisconnected(c));
  }

  /** Waits until everything sent so far by any instance has reached every open connection. */
  protected void fence() {
    for (HubLifetimeManager m : distinctManagers()) {
      String token = "fence-" + fences.incrementAndGet();
      get(m.sendAll(FENCE, new Object[] {token}, List.of()));
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                for (FakeConnection c : open) {
                  if (c.isOpen()) {
                    assertThat(c.fences()).as("fences of %s", c).contains(token);
                  }
                }
              });
    }
  }

  protected static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("Did not complete normally in " + TIMEOUT, e);
    }
  }

  /** The cause a future failed with, waiting at most {@link #TIMEOUT}. */
  protected static Throwable failure(CompletableFuture<?> future) {
    try {
      future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("Did not fail in " + TIMEOUT, e);
    }
    throw new AssertionError("Completed normally, expected a failure");
  }

  private static Object[] args(Object... values) {
    return values;
  }

  /**
   * {@code c} got exactly these invocations of {@code target} (by first argument), in any order:
   * messages from different instances may arrive in any order.
   */
  private static void assertGot(FakeConnection c, String target, Object... firstArguments) {
    assertThat(c.argumentsOf(target))
        .as("%s of %s", target, c)
        .containsExactlyInAnyOrder(firstArguments);
  }

  private static void assertNothing(FakeConnection... connections) {
    for (FakeConnection c : connections) {
      assertThat(c.invocations()).as("invocations of %s", c).isEmpty();
    }
  }

  // ------------------------------------------------------------------ all

  @Test
  void sendAllReachesEveryConnectionOnEveryInstance() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);
    FakeConnection d = connect(1);

    get(instance(0).sendAll("Hello", args("world", 42), List.of()));
    fence();

    for (FakeConnection x : List.of(a, b, c, d)) {
      assertGot(x, "Hello", "world");
      assertThat(x.invocations().get(0).arguments()).containsExactly("world", 42);
      assertThat(x.invocations().get(0).invocationId()).isNull();
    }
  }

  @Test
  void sendAllFromAnotherInstanceReachesConnectionsOfTheFirst() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);

    get(instance(1).sendAll("Ping", args("x"), null));
    fence();

    assertGot(a, "Ping", "x");
    assertGot(b, "Ping", "x");
  }

  @Test
  void sendAllExceptSkipsExcludedConnectionsOnEveryInstance() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);
    FakeConnection d = connect(0);

    get(instance(0).sendAll("News", args("n"), List.of(a.connectionId(), c.connectionId())));
    fence();

    assertNothing(a, c);
    assertGot(b, "News", "n");
    assertGot(d, "News", "n");
  }

  @Test
  void aMessageIsDeliveredExactlyOnceToEachConnection() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);

    get(instance(0).sendAll("Once", args(1), List.of()));
    get(instance(1).sendAll("Once", args(2), List.of()));
    fence();

    assertGot(a, "Once", 1, 2);
    assertGot(b, "Once", 1, 2);
  }

  @Test
  void messagesFromOneSenderToOneConnectionArriveInSendOrder() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    get(instance(0).addToGroup(b.connectionId(), "room"));
    get(instance(0).addToGroup(a.connectionId(), "room"));

    List<Object> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      sent.add(i);
      switch (i % 3) {
        case 0 -> instance(0).sendAll("Seq", args(i), List.of());
        case 1 -> instance(0).sendGroup("room", "Seq", args(i), List.of());
        default -> instance(0).sendConnection(b.connectionId(), "Seq", args(i));
      }
    }
    fence();

    assertThat(b.argumentsOf("Seq")).containsExactlyElementsOf(sent);
  }

  @Test
  void connectionsOfOneProtocolOnOneInstanceShareTheSerializedBytes() {
    List<FakeConnection> onZero = new ArrayList<>();
    List<FakeConnection> onOne = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      onZero.add(connect(0, null, i % 2 == 0 ? JSON : MSGPACK));
      onOne.add(connect(1, null, i % 2 == 0 ? JSON : MSGPACK));
    }

    get(instance(0).sendAll("Shared", args("bytes"), List.of()));
    fence();

    for (List<FakeConnection> group : List.of(onZero, onOne)) {
      for (HubProtocol protocol : List.of(JSON, MSGPACK)) {
        Set<byte[]> arrays = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (FakeConnection c : group) {
          if (c.protocol() == protocol) {
            arrays.add(c.received().get(0).bytes());
          }
        }
        assertThat(arrays)
            .as("distinct %s byte arrays on one instance", protocol.name())
            .hasSize(1);
      }
    }
  }

  // ------------------------------------------------------------------ connections

  @Test
  void sendConnectionReachesOnlyThatConnectionWhereverItIs() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);

    get(instance(0).sendConnection(b.connectionId(), "Direct", args("to-b")));
    get(instance(0).sendConnection(a.connectionId(), "Direct", args("to-a")));
    get(instance(1).sendConnection(c.connectionId(), "Direct", args("to-c")));
    fence();

    assertGot(a, "Direct", "to-a");
    assertGot(b, "Direct", "to-b");
    assertGot(c, "Direct", "to-c");
  }

  @Test
  void sendConnectionToAnUnknownConnectionCompletesAndDeliversNothing() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);

    get(instance(0).sendConnection("no-such-connection", "Lost", args("x")));
    fence();

    assertNothing(a, b);
  }

  @Test
  void sendConnectionsReachesEachListedConnectionOnce() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);
    FakeConnection d = connect(1);

    get(
        instance(0)
            .sendConnections(
                List.of(a.connectionId(), b.connectionId(), c.connectionId()), "Some", args("s")));
    fence();

    assertGot(a, "Some", "s");
    assertGot(b, "Some", "s");
    assertGot(c, "Some", "s");
    assertNothing(d);
  }

  // ------------------------------------------------------------------ groups

  @Test
  void sendGroupReachesMembersOnEveryInstanceAndNobodyElse() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);
    FakeConnection outsider = connect(1);
    get(instance(0).addToGroup(a.connectionId(), "room"));
    get(instance(1).addToGroup(b.connectionId(), "room"));
    get(instance(2).addToGroup(c.connectionId(), "room"));

    get(instance(1).sendGroup("room", "InRoom", args("hi"), List.of()));
    fence();

    assertGot(a, "InRoom", "hi");
    assertGot(b, "InRoom", "hi");
    assertGot(c, "InRoom", "hi");
    assertNothing(outsider);
  }

  @Test
  void sendGroupExceptSkipsTheExcludedMembers() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);
    for (FakeConnection x : List.of(a, b, c)) {
      get(instance(0).addToGroup(x.connectionId(), "room"));
    }

    get(
        instance(0)
            .sendGroup("room", "Others", args("o"), List.of(a.connectionId(), b.connectionId())));
    fence();

    assertNothing(a, b);
    assertGot(c, "Others", "o");
  }

  @Test
  void sendGroupToAGroupWithoutMembersCompletes() {
    FakeConnection a = connect(0);

    get(instance(0).sendGroup("empty", "Nobody", args(), List.of()));
    get(instance(1).sendGroups(List.of("empty", "void"), "Nobody", args()));
    fence();

    assertNothing(a);
  }

  @Test
  void sendGroupsDeliversOnceToAConnectionInSeveralOfTheGroups() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);
    FakeConnection outsider = connect(1);
    get(instance(0).addToGroup(a.connectionId(), "g1"));
    get(instance(0).addToGroup(a.connectionId(), "g2"));
    get(instance(1).addToGroup(b.connectionId(), "g1"));
    get(instance(1).addToGroup(b.connectionId(), "g2"));
    get(instance(1).addToGroup(b.connectionId(), "g3"));
    get(instance(2).addToGroup(c.connectionId(), "g2"));
    get(instance(1).addToGroup(outsider.connectionId(), "g4"));

    get(instance(0).sendGroups(List.of("g1", "g2", "g3"), "Multi", args("m")));
    get(instance(2).sendGroups(List.of("g3", "g2"), "Multi", args("n")));
    fence();

    assertGot(a, "Multi", "m", "n");
    assertGot(b, "Multi", "m", "n");
    assertGot(c, "Multi", "m", "n");
    assertNothing(outsider);
  }

  @Test
  void removeFromGroupStopsDeliveryToThatConnectionOnly() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    get(instance(0).addToGroup(a.connectionId(), "room"));
    get(instance(1).addToGroup(b.connectionId(), "room"));

    get(instance(1).removeFromGroup(b.connectionId(), "room"));
    get(instance(0).sendGroup("room", "After", args("x"), List.of()));
    get(instance(1).sendGroup("room", "After", args("y"), List.of()));
    fence();

    assertGot(a, "After", "x", "y");
    assertNothing(b);
  }

  @Test
  void addToGroupOfAConnectionOnAnotherInstanceIsAcknowledgedAndEffective() {
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);

    get(instance(0).addToGroup(b.connectionId(), "remote-room"));
    get(instance(0).addToGroup(c.connectionId(), "remote-room"));
    get(instance(2).sendGroup("remote-room", "Remote", args("r"), List.of()));
    fence();

    assertGot(b, "Remote", "r");
    assertGot(c, "Remote", "r");
  }

  @Test
  void removeFromGroupOfAConnectionOnAnotherInstanceIsAcknowledgedAndEffective() {
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);
    get(instance(1).addToGroup(b.connectionId(), "room"));
    get(instance(2).addToGroup(c.connectionId(), "room"));

    get(instance(0).removeFromGroup(b.connectionId(), "room"));
    get(instance(0).sendGroup("room", "Left", args("l"), List.of()));
    fence();

    assertNothing(b);
    assertGot(c, "Left", "l");
  }

  @Test
  void groupChangesForAnUnknownConnectionCompleteAndChangeNothing() {
    FakeConnection a = connect(0);
    get(instance(0).addToGroup(a.connectionId(), "room"));

    get(instance(0).addToGroup("no-such-connection", "room"));
    get(instance(1).removeFromGroup("no-such-connection", "room"));
    get(instance(1).sendGroup("room", "Still", args("s"), List.of()));
    fence();

    assertGot(a, "Still", "s");
  }

  @Test
  void addingTwiceAndRemovingOnceLeavesTheConnectionOutOfTheGroup() {
    FakeConnection b = connect(1);
    get(instance(1).addToGroup(b.connectionId(), "room"));
    get(instance(0).addToGroup(b.connectionId(), "room"));

    get(instance(0).removeFromGroup(b.connectionId(), "room"));
    get(instance(0).sendGroup("room", "Gone", args("g"), List.of()));
    fence();

    assertNothing(b);
  }

  @Test
  void groupNamesAreCaseSensitive() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    get(instance(0).addToGroup(a.connectionId(), "Room"));
    get(instance(1).addToGroup(b.connectionId(), "room"));

    get(instance(0).sendGroup("room", "Case", args("lower"), List.of()));
    fence();

    assertNothing(a);
    assertGot(b, "Case", "lower");
  }

  // ------------------------------------------------------------------ users

  @Test
  void sendUserReachesEveryConnectionOfThatUserOnEveryInstance() {
    FakeConnection alice1 = connect(0, "alice");
    FakeConnection alice2 = connect(1, "alice");
    FakeConnection alice3 = connect(2, "alice");
    FakeConnection bob = connect(1, "bob");
    FakeConnection anonymous = connect(0);

    get(instance(2).sendUser("alice", "ForAlice", args("a")));
    fence();

    assertGot(alice1, "ForAlice", "a");
    assertGot(alice2, "ForAlice", "a");
    assertGot(alice3, "ForAlice", "a");
    assertNothing(bob, anonymous);
  }

  @Test
  void sendUsersReachesEveryListedUser() {
    FakeConnection alice = connect(0, "alice");
    FakeConnection bob1 = connect(1, "bob");
    FakeConnection bob2 = connect(0, "bob");
    FakeConnection carol = connect(2, "carol");

    get(instance(0).sendUsers(List.of("alice", "bob", "nobody"), "Some", args("u")));
    fence();

    assertGot(alice, "Some", "u");
    assertGot(bob1, "Some", "u");
    assertGot(bob2, "Some", "u");
    assertNothing(carol);
  }

  @Test
  void aUserWithNoConnectionsLeftGetsNothing() {
    FakeConnection alice = connect(1, "alice");
    FakeConnection bob = connect(0, "bob");
    disconnect(1, alice);

    get(instance(0).sendUser("alice", "Late", args("l")));
    fence();

    assertNothing(alice, bob);
  }

  // ------------------------------------------------------------------ disconnect

  @Test
  void aDisconnectedConnectionIsInNoAudienceAnyMore() {
    FakeConnection keep = connect(0, "alice");
    FakeConnection gone = connect(1, "alice");
    get(instance(0).addToGroup(keep.connectionId(), "room"));
    get(instance(1).addToGroup(gone.connectionId(), "room"));

    disconnect(1, gone);
    get(instance(0).sendAll("All", args(1), List.of()));
    get(instance(0).sendGroup("room", "Group", args(2), List.of()));
    get(instance(0).sendUser("alice", "User", args(3)));
    get(instance(0).sendConnection(gone.connectionId(), "Direct", args(4)));
    fence();

    assertNothing(gone);
    assertGot(keep, "All", 1);
    assertGot(keep, "Group", 2);
    assertGot(keep, "User", 3);
  }

  @Test
  void aGroupChangeForADisconnectedConnectionIsHarmless() {
    FakeConnection gone = connect(1);
    FakeConnection other = connect(0);
    get(instance(0).addToGroup(other.connectionId(), "room"));
    disconnect(1, gone);

    get(instance(0).addToGroup(gone.connectionId(), "room"));
    get(instance(1).addToGroup(gone.connectionId(), "room"));
    get(instance(1).sendGroup("room", "Room", args("r"), List.of()));
    fence();

    assertGot(other, "Room", "r");
    assertNothing(gone);
  }

  // ------------------------------------------------------------------ client results

  @Test
  void invokeConnectionReturnsTheClientResultWhereverTheConnectionIs() {
    for (int holder = 0; holder < Math.max(2, instanceCount()); holder++) {
      FakeConnection c = connect(holder);
      c.answering(m -> new FakeConnection.Result("echo:" + m.arguments().get(0)), clientThreads);

      CompletableFuture<String> result =
          instance(0).invokeConnection(c.connectionId(), "Echo", args("hi"), String.class, TIMEOUT);

      assertThat(get(result)).isEqualTo("echo:hi");
      InvocationMessage sent = c.invocations().get(0);
      assertThat(sent.target()).isEqualTo("Echo");
      assertThat(sent.invocationId()).isNotNull();
    }
  }

  @Test
  void invokeConnectionBindsTheResultToTheRequestedType() {
    FakeConnection local = connect(0);
    FakeConnection remote = connect(1);
    for (FakeConnection c : List.of(local, remote)) {
      c.answering(m -> new FakeConnection.Result(Map.of("x", 3, "y", 4)), clientThreads);
    }

    Point p1 =
        get(instance(0).invokeConnection(local.connectionId(), "P", args(), Point.class, TIMEOUT));
    Point p2 =
        get(instance(0).invokeConnection(remote.connectionId(), "P", args(), Point.class, TIMEOUT));

    assertThat(p1).isEqualTo(new Point(3, 4));
    assertThat(p2).isEqualTo(new Point(3, 4));
  }

  @Test
  void invokeConnectionReturnsANullResult() {
    FakeConnection remote = connect(1);
    remote.answering(m -> new FakeConnection.Result(null), clientThreads);

    Object result =
        get(
            instance(0)
                .invokeConnection(remote.connectionId(), "N", args(), String.class, TIMEOUT));

    assertThat(result).isNull();
  }

  @Test
  void invokeConnectionFailsWithTheClientsError() {
    FakeConnection local = connect(0);
    FakeConnection remote = connect(1);
    for (FakeConnection c : List.of(local, remote)) {
      c.answering(m -> new FakeConnection.Error("Client didn't provide a result."), clientThreads);
    }

    for (FakeConnection c : List.of(local, remote)) {
      Throwable error =
          failure(
              instance(0).invokeConnection(c.connectionId(), "Ask", args(), String.class, TIMEOUT));
      assertThat(error)
          .isInstanceOf(HubException.class)
          .hasMessage("Client didn't provide a result.");
    }
  }

  @Test
  void invokeConnectionTimesOutWhenTheClientNeverAnswers() {
    FakeConnection local = connect(0);
    FakeConnection remote = connect(1);

    for (FakeConnection c : List.of(local, remote)) {
      Throwable error =
          failure(
              instance(0)
                  .invokeConnection(
                      c.connectionId(), "Slow", args(), String.class, Duration.ofMillis(300)));
      assertThat(error).isInstanceOf(HubException.class).hasMessageContaining("Timed out");
    }
  }

  @Test
  void invokeConnectionFailsWhenTheConnectionDisconnectsFirst() {
    FakeConnection local = connect(0);
    FakeConnection remote = connect(1);

    CompletableFuture<String> toLocal =
        instance(0).invokeConnection(local.connectionId(), "Wait", args(), String.class, TIMEOUT);
    CompletableFuture<String> toRemote =
        instance(0).invokeConnection(remote.connectionId(), "Wait", args(), String.class, TIMEOUT);
    await().atMost(TIMEOUT).until(() -> !remote.invocations().isEmpty());
    disconnect(0, local);
    disconnect(1, remote);

    assertThat(failure(toLocal))
        .isInstanceOf(HubException.class)
        .hasMessage("Connection '" + local.connectionId() + "' disconnected.");
    assertThat(failure(toRemote))
        .isInstanceOf(HubException.class)
        .hasMessage("Connection '" + remote.connectionId() + "' disconnected.");
  }

  @Test
  void invokeConnectionOfAnUnknownConnectionFails() {
    connect(1);

    Throwable error =
        failure(
            instance(0).invokeConnection("no-such-connection", "X", args(), String.class, TIMEOUT));

    assertThat(error)
        .isInstanceOf(HubException.class)
        .hasMessage("Connection 'no-such-connection' does not exist.");
  }

  @Test
  void concurrentInvocationsOfOneConnectionGetTheirOwnResults() {
    FakeConnection remote = connect(1);
    remote.answering(m -> new FakeConnection.Result(m.arguments().get(0)), clientThreads);

    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(
          instance(i % 2 == 0 ? 0 : 2)
              .invokeConnection(remote.connectionId(), "Id", args(i), Integer.class, TIMEOUT));
    }

    for (int i = 0; i < 20; i++) {
      assertThat(get(calls.get(i))).isEqualTo(i);
    }
    Set<String> invocationIds = new LinkedHashSet<>();
    for (InvocationMessage m : remote.invocations()) {
      invocationIds.add(m.invocationId());
    }
    assertThat(invocationIds).hasSize(20);
  }

  @Test
  void aResultForAnUnknownInvocationIsIgnored() {
    FakeConnection a = connect(0);

    assertThat(instance(0).resultType(a.connectionId(), "nope")).isNull();
    instance(0)
        .setConnectionResult(
            a.connectionId(), org.jvmchat.protocol.CompletionMessage.withResult("nope", 1));
    get(instance(0).sendConnection(a.connectionId(), "Alive", args("yes")));
    fence();

    assertGot(a, "Alive", "yes");
  }

  @Test
  void argumentsOfEveryKindSurviveTheTrip() {
    FakeConnection json = connect(1);
    FakeConnection msgpack = connect(1);
    assertThat(Arrays.asList(json.protocol(), msgpack.protocol()))
        .containsExactlyInAnyOrder(JSON, MSGPACK);

    Map<String, Object> map = Map.of("k", "v", "n", 7);
    get(
        instance(0)
            .sendAll("Kinds", args("text", 12, true, null, List.of("a", "b"), map), List.of()));
    fence();

    for (FakeConnection c : List.of(json, msgpack)) {
      List<Object> arguments = c.invocations().get(0).arguments();
      assertThat(arguments).hasSize(6);
      assertThat(arguments.subList(0, 4)).containsExactly("text", 12, true, null);
      assertThat(arguments.get(4)).isEqualTo(List.of("a", "b"));
      assertThat(arguments.get(5)).isEqualTo(map);
    }
  }

  // ------------------------------------------------------------------ user groups

  @Test
  void aUserAddedToAGroupIsInItOnEveryConnectionIncludingLaterOnes() {
    FakeConnection alice1 = connect(0, "alice");
    FakeConnection alice2 = connect(1, "alice");
    FakeConnection bob = connect(1, "bob");

    get(instance(2).addUserToGroup("alice", "news", null));
    FakeConnection later = connect(2, "alice");
    FakeConnection laterOnFirst = connect(0, "alice");
    get(instance(1).sendGroup("news", "News", args("n"), List.of()));
    fence();

    assertGot(alice1, "News", "n");
    assertGot(alice2, "News", "n");
    assertGot(later, "News", "n");
    assertGot(laterOnFirst, "News", "n");
    assertNothing(bob);
    assertThat(get(instance(0).isUserInGroup("alice", "news"))).isTrue();
    assertThat(get(instance(1).isUserInGroup("bob", "news"))).isFalse();
    assertThat(get(instance(1).isUserInGroup("alice", "News"))).isFalse();
  }

  @Test
  void aUserWithoutConnectionsCanBeAddedAndGetsTheGroupWhenItConnects() {
    get(instance(0).addUserToGroup("carol", "room", Duration.ofMinutes(5)));
    assertThat(get(instance(1).isUserInGroup("carol", "room"))).isTrue();

    FakeConnection carol = connect(1, "carol");
    get(instance(0).sendGroup("room", "Room", args("r"), List.of()));
    fence();

    assertGot(carol, "Room", "r");
  }

  @Test
  void removingAUserFromAGroupTakesEveryConnectionOutAndLaterOnesStayOut() {
    FakeConnection alice1 = connect(0, "alice");
    FakeConnection alice2 = connect(1, "alice");
    FakeConnection other = connect(1);
    get(instance(0).addUserToGroup("alice", "news", null));
    get(instance(0).addToGroup(other.connectionId(), "news"));

    get(instance(2).removeUserFromGroup("alice", "news"));
    FakeConnection later = connect(0, "alice");
    get(instance(1).sendGroup("news", "News", args("after"), List.of()));
    fence();

    assertNothing(alice1, alice2, later);
    assertGot(other, "News", "after");
    assertThat(get(instance(0).isUserInGroup("alice", "news"))).isFalse();
  }

  @Test
  void removingAUserFromAllGroupsTakesItOutOfEach() {
    FakeConnection alice1 = connect(0, "alice");
    FakeConnection alice2 = connect(1, "alice");
    get(instance(0).addUserToGroup("alice", "a", null));
    get(instance(1).addUserToGroup("alice", "b", Duration.ofMinutes(1)));
    get(instance(0).addToGroup(alice2.connectionId(), "c"));

    get(instance(2).removeUserFromAllGroups("alice"));
    FakeConnection later = connect(2, "alice");
    get(instance(0).sendGroups(List.of("a", "b", "c"), "Any", args("x")));
    fence();

    assertNothing(alice1, alice2, later);
    assertThat(get(instance(0).isUserInGroup("alice", "a"))).isFalse();
    assertThat(get(instance(0).isUserInGroup("alice", "b"))).isFalse();
  }

  @Test
  void aUserGroupMembershipEndsWhenItsTimeToLiveHasPassed() {
    FakeConnection alice1 = connect(0, "alice");
    FakeConnection alice2 = connect(1, "alice");
    get(instance(0).addUserToGroup("alice", "brief", Duration.ofMillis(300)));
    assertThat(get(instance(1).isUserInGroup("alice", "brief"))).isTrue();

    await().atMost(TIMEOUT).until(() -> !get(instance(0).isUserInGroup("alice", "brief")));
    await().atMost(TIMEOUT).until(() -> !get(instance(2).groupExists("brief")));
    get(instance(0).sendGroup("brief", "Brief", args("late"), List.of()));
    fence();

    assertNothing(alice1, alice2);
  }

  @Test
  void aZeroTimeToLiveAddsTheCurrentConnectionsOnly() {
    FakeConnection alice1 = connect(0, "alice");
    FakeConnection alice2 = connect(1, "alice");

    get(instance(2).addUserToGroup("alice", "now", Duration.ZERO));
    FakeConnection later = connect(0, "alice");
    get(instance(0).sendGroup("now", "Now", args("n"), List.of()));
    fence();

    assertGot(alice1, "Now", "n");
    assertGot(alice2, "Now", "n");
    assertNothing(later);
    assertThat(get(instance(0).isUserInGroup("alice", "now"))).isFalse();
  }

  @Test
  void removeFromAllGroupsTakesAConnectionOutOfEachWhereverItIs() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    for (String g : List.of("x", "y")) {
      get(instance(0).addToGroup(a.connectionId(), g));
      get(instance(1).addToGroup(b.connectionId(), g));
    }

    get(instance(0).removeFromAllGroups(a.connectionId()));
    get(instance(2).removeFromAllGroups(b.connectionId()));
    get(instance(0).removeFromAllGroups("no-such-connection"));
    get(instance(0).sendGroups(List.of("x", "y"), "Gone", args("g")));
    fence();

    assertNothing(a, b);
  }

  // ------------------------------------------------------------------ closing

  @Test
  void closeConnectionClosesItWhereverItIsWithTheReason() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection c = connect(2);

    assertThat(get(instance(0).closeConnection(a.connectionId(), "local reason"))).isTrue();
    assertThat(get(instance(0).closeConnection(b.connectionId(), "remote reason"))).isTrue();
    assertThat(get(instance(0).closeConnection("no-such-connection", null))).isFalse();

    await().atMost(TIMEOUT).until(b::closedByServer);
    assertThat(a.closedByServer()).isTrue();
    assertThat(a.closeReason()).isEqualTo("local reason");
    assertThat(b.closeReason()).isEqualTo("remote reason");
    assertThat(c.closedByServer()).isFalse();
    await().atMost(TIMEOUT).until(() -> !get(instance(2).connectionExists(b.connectionId())));
  }

  @Test
  void closeAllClosesEveryConnectionButTheExcluded() {
    FakeConnection a = connect(0);
    FakeConnection b = connect(1);
    FakeConnection kept = connect(1);

    get(instance(2).closeAll(List.of(kept.connectionId()), "maintenance"));

    await().atMost(TIMEOUT).until(() -> a.closedByServer() && b.closedByServer());
    assertThat(a.closeReason()).isEqualTo("maintenance");
    assertThat(b.closeReason()).isEqualTo("maintenance");
    fence();
    assertThat(kept.closedByServer()).isFalse();
  }

  @Test
  void closeGroupAndCloseUserCloseTheirAudienceOnly() {
    FakeConnection member = connect(0);
    FakeConnection excludedMember = connect(1);
    FakeConnection alice1 = connect(0, "alice");
    FakeConnection alice2 = connect(1, "alice");
    FakeConnection bob = connect(1, "bob");
    get(instance(0).addToGroup(member.connectionId(), "room"));
    get(instance(1).addToGroup(excludedMember.connectionId(), "room"));

    get(instance(2).closeGroup("room", List.of(excludedMember.connectionId()), null));
    get(instance(2).closeUser("alice", List.of(alice1.connectionId()), "bye"));

    await().atMost(TIMEOUT).until(() -> member.closedByServer() && alice2.closedByServer());
    assertThat(member.closeReason()).isNull();
    assertThat(alice2.closeReason()).isEqualTo("bye");
    fence();
    assertThat(excludedMember.closedByServer()).isFalse();
    assertThat(alice1.closedByServer()).isFalse();
    assertThat(bob.closedByServer()).isFalse();
  }

  // ------------------------------------------------------------------ existence

  @Test
  void existenceChecksSeeConnectionsUsersAndGroupsOfEveryInstance() {
    FakeConnection alice = connect(1, "alice");
    get(instance(1).addToGroup(alice.connectionId(), "room"));

    for (int i = 0; i < instanceCount(); i++) {
      assertThat(get(instance(i).connectionExists(alice.connectionId()))).isTrue();
      assertThat(get(instance(i).userExists("alice"))).isTrue();
      assertThat(get(instance(i).groupExists("room"))).isTrue();
      assertThat(get(instance(i).connectionExists("no-such-connection"))).isFalse();
      assertThat(get(instance(i).userExists("nobody"))).isFalse();
      assertThat(get(instance(i).groupExists("no-room"))).isFalse();
    }

    disconnect(1, alice);
    for (int i = 0; i < instanceCount(); i++) {
      HubLifetimeManager m = instance(i);
      await().atMost(TIMEOUT).until(() -> !get(m.connectionExists(alice.connectionId())));
      await().atMost(TIMEOUT).until(() -> !get(m.userExists("alice")));
      await().atMost(TIMEOUT).until(() -> !get(m.groupExists("room")));
    }
  }
}
