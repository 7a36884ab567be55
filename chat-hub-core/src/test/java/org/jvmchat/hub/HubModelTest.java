package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;

/**
 * The hub model: audiences, groups, users, lifecycle hooks, filters, hub context, client results.
 */
class HubModelTest {
  static HubServer server;
  static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

  public static class ModelHub extends Hub {
    public void toAll(String m) {
      clients().all().send("msg", "all:" + m);
    }

    public void toOthers(String m) {
      clients().others().send("msg", "others:" + m);
    }

    public void toCaller(String m) {
      clients().caller().send("msg", "caller:" + m);
    }

    public void toClient(String id, String m) {
      clients().client(id).send("msg", "client:" + m);
    }

    public void toClients(List<String> ids, String m) {
      clients().clients(ids).send("msg", "clients:" + m);
    }

    public void join(String group) {
      groups().addToGroup(context().connectionId(), group).join();
    }

    public void leave(String group) {
      groups().removeFromGroup(context().connectionId(), group).join();
    }

    public void toGroup(String g, String m) {
      clients().group(g).send("msg", "group:" + m);
    }

    public void toGroups(List<String> gs, String m) {
      clients().groups(gs).send("msg", "groups:" + m);
    }

    public void toGroupExcept(String g, List<String> excluded, String m) {
      clients().groupExcept(g, excluded).send("msg", "groupExcept:" + m);
    }

    public void toOthersInGroup(String g, String m) {
      clients().othersInGroup(g).send("msg", "othersInGroup:" + m);
    }

    public void toUser(String u, String m) {
      clients().user(u).send("msg", "user:" + m);
    }

    public void toUsers(List<String> us, String m) {
      clients().users(us).send("msg", "users:" + m);
    }

    public String whoAmI() {
      return context().userIdentifier();
    }

    public CompletableFuture<String> askCaller(String question) {
      return clients().caller().invoke(String.class, "ask", question);
    }

    public void abortMe() {
      context().abort();
    }

    public void forbidden() {
      events.add("forbidden ran");
    }

    public String traced() {
      events.add("method");
      return "traced";
    }

    @Override
    public void onConnected() {
      events.add("connected:" + context().connectionId());
    }

    @Override
    public void onDisconnected(Throwable error) {
      events.add(
          "disconnected:"
              + context().connectionId()
              + ":"
              + (error == null ? "null" : error.getClass().getSimpleName()));
    }
  }

  public static class FailingConnectHub extends Hub {
    public String echo(String s) {
      return s;
    }

    @Override
    public void onConnected() {
      throw new IllegalStateException("no entry");
    }
  }

  static final class Tracing implements HubFilter {
    private final String name;

    Tracing(String name) {
      this.name = name;
    }

    @Override
    public Object invoke(HubInvocationContext invocation, Next next) throws Exception {
      if (invocation.methodName().equals("forbidden")) {
        throw new HubException("Filter " + name + " refused " + invocation.methodName());
      }
      events.add(name + " before " + invocation.methodName());
      try {
        return next.invoke(invocation);
      } finally {
        events.add(name + " after " + invocation.methodName());
      }
    }

    @Override
    public void onConnected(HubLifetimeContext context, LifetimeNext next) throws Exception {
      events.add(name + " onConnected");
      next.run(context);
    }

    @Override
    public void onDisconnected(HubLifetimeContext context, Throwable error, DisconnectNext next)
        throws Exception {
      events.add(name + " onDisconnected");
      next.run(context, error);
    }
  }

  static final class ShortCircuit implements HubFilter {
    @Override
    public Object invoke(HubInvocationContext invocation, Next next) throws Exception {
      if (invocation.methodName().equals("traced") && invocation.context().user() == null) {
        return "short-circuited";
      }
      return next.invoke(invocation);
    }
  }

  @BeforeAll
  static void start() {
    server =
        TestServers.start(
            HubServer.builder()
                .authenticator(new BearerTokenAuthenticator(token -> HubUser.of(token, token)))
                .hub(
                    "/hubs/model",
                    ModelHub::new,
                    HubOptions.builder().clientResultTimeout(Duration.ofMillis(500)).build())
                .hub("/hubs/failconnect", FailingConnectHub::new)
                .hub(
                    HubMapping.builder("/hubs/filtered", ModelHub::new)
                        .filter(new Tracing("B"))
                        .build())
                .hub(
                    HubMapping.builder("/hubs/shortcircuit", ModelHub::new)
                        .filter(new ShortCircuit())
                        .build())
                .filter(
                    new HubFilter() {
                      @Override
                      public Object invoke(HubInvocationContext invocation, Next next)
                          throws Exception {
                        if (!invocation.hubPath().equals("/hubs/filtered")) {
                          return next.invoke(invocation);
                        }
                        return new Tracing("A").invoke(invocation, next);
                      }

                      @Override
                      public void onConnected(HubLifetimeContext context, LifetimeNext next)
                          throws Exception {
                        if (context.hubPath().equals("/hubs/filtered")) {
                          events.add("A onConnected");
                        }
                        next.run(context);
                      }
                    }));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @BeforeEach
  void clearEvents() {
    events.clear();
  }

  static String hub() {
    return TestServers.url(server, "/hubs/model");
  }

  static String msg(TestHubClient c) {
    return (String) c.awaitInvocation("msg").arguments().get(0);
  }

  /** Connects and waits until the hub has registered the connection (onConnected done). */
  static TestHubClient connected(String hubUrl) {
    TestHubClient c = TestHubClient.connect(hubUrl);
    settle(c);
    return c;
  }

  static TestHubClient connectedAs(String user) {
    TestHubClient c = TestHubClient.connectAs(hub(), user);
    settle(c);
    return c;
  }

  /** Waits until every earlier message to {@code c} has arrived, then returns what did. */
  static List<HubMessage> settle(TestHubClient c) {
    assertThat(c.invokeAndAwait("whoAmI").error()).isNull();
    return c.pending();
  }

  @Test
  void allReachesEveryConnectionIncludingTheCaller() {
    try (TestHubClient a = connected(hub());
        TestHubClient b = connected(hub())) {
      a.invokeAndAwait("toAll", "hi");
      assertThat(msg(a)).isEqualTo("all:hi");
      assertThat(msg(b)).isEqualTo("all:hi");
    }
  }

  @Test
  void othersExcludesTheCaller() {
    try (TestHubClient a = connected(hub());
        TestHubClient b = connected(hub())) {
      a.invokeAndAwait("toOthers", "x");
      assertThat(msg(b)).isEqualTo("others:x");
      assertThat(settle(a)).isEmpty();
    }
  }

  @Test
  void callerReachesOnlyTheCaller() {
    try (TestHubClient a = connected(hub());
        TestHubClient b = connected(hub())) {
      a.invokeAndAwait("toCaller", "me");
      assertThat(msg(a)).isEqualTo("caller:me");
      assertThat(settle(b)).isEmpty();
    }
  }

  @Test
  void clientAndClientsAddressConnectionsById() {
    try (TestHubClient a = connected(hub());
        TestHubClient b = connected(hub());
        TestHubClient c = connected(hub())) {
      a.invokeAndAwait("toClient", b.connectionId(), "one");
      assertThat(msg(b)).isEqualTo("client:one");
      a.invokeAndAwait("toClients", List.of(a.connectionId(), c.connectionId()), "two");
      assertThat(msg(a)).isEqualTo("clients:two");
      assertThat(msg(c)).isEqualTo("clients:two");
      assertThat(settle(b)).isEmpty();
    }
  }

  @Test
  void groupsAddAndRemove() {
    try (TestHubClient a = connected(hub());
        TestHubClient b = connected(hub());
        TestHubClient c = connected(hub())) {
      a.invokeAndAwait("join", "room");
      b.invokeAndAwait("join", "room");
      c.invokeAndAwait("toGroup", "room", "1");
      assertThat(msg(a)).isEqualTo("group:1");
      assertThat(msg(b)).isEqualTo("group:1");
      assertThat(settle(c)).isEmpty();

      b.invokeAndAwait("leave", "room");
      c.invokeAndAwait("toGroup", "room", "2");
      assertThat(msg(a)).isEqualTo("group:2");
      assertThat(settle(b)).isEmpty();
    }
  }

  @Test
  void groupsGroupExceptAndOthersInGroup() {
    try (TestHubClient a = connected(hub());
        TestHubClient b = connected(hub());
        TestHubClient c = connected(hub())) {
      a.invokeAndAwait("join", "g1");
      b.invokeAndAwait("join", "g1");
      b.invokeAndAwait("join", "g2");
      c.invokeAndAwait("join", "g2");

      a.invokeAndAwait("toGroups", List.of("g1", "g2"), "many");
      assertThat(msg(a)).isEqualTo("groups:many");
      assertThat(msg(b)).isEqualTo("groups:many");
      assertThat(msg(c)).isEqualTo("groups:many");
      assertThat(settle(b)).as("b is in both groups but gets the message once").isEmpty();

      a.invokeAndAwait("toGroupExcept", "g2", List.of(b.connectionId()), "except");
      assertThat(msg(c)).isEqualTo("groupExcept:except");
      assertThat(settle(b)).isEmpty();

      b.invokeAndAwait("toOthersInGroup", "g1", "others");
      assertThat(msg(a)).isEqualTo("othersInGroup:others");
      assertThat(settle(b)).isEmpty();
      assertThat(settle(c)).isEmpty();
    }
  }

  @Test
  void userReachesEveryConnectionOfThatUser() {
    try (TestHubClient alice1 = connectedAs("alice");
        TestHubClient alice2 = connectedAs("alice");
        TestHubClient bob = connectedAs("bob");
        TestHubClient carol = connectedAs("carol")) {
      assertThat(alice1.invokeAndAwait("whoAmI").result()).isEqualTo("alice");
      bob.invokeAndAwait("toUser", "alice", "hey");
      assertThat(msg(alice1)).isEqualTo("user:hey");
      assertThat(msg(alice2)).isEqualTo("user:hey");
      assertThat(settle(bob)).isEmpty();

      alice1.invokeAndAwait("toUsers", List.of("bob", "carol"), "both");
      assertThat(msg(bob)).isEqualTo("users:both");
      assertThat(msg(carol)).isEqualTo("users:both");
      assertThat(settle(alice2)).isEmpty();
    }
  }

  @Test
  void userStaysReachableOnItsOtherConnection() {
    try (TestHubClient alice1 = connectedAs("alice");
        TestHubClient bob = connectedAs("bob")) {
      TestHubClient alice2 = connectedAs("alice");
      alice2.close();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> events.contains("disconnected:" + alice2.connectionId() + ":null"));
      bob.invokeAndAwait("toUser", "alice", "still");
      assertThat(msg(alice1)).isEqualTo("user:still");
    }
  }

  @Test
  void hubContextSendsFromOutsideAHub() {
    try (TestHubClient a = connected(hub())) {
      settle(a); // onConnected has registered the connection
      HubContext context = server.hubContext("/hubs/model");
      context.groups().addToGroup(a.connectionId(), "outside").join();
      context.clients().group("outside").send("fromOutside", 1, "two").join();
      InvocationMessage m = a.awaitInvocation("fromOutside");
      assertThat(m.invocationId()).isNull();
      assertThat(m.arguments()).containsExactly(1, "two");
      context.clients().all().send("fromOutside", 3).join();
      assertThat(a.awaitInvocation("fromOutside").arguments()).containsExactly(3);
    }
    assertThatThrownBy(() -> server.hubContext("/hubs/none"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onConnectedAndOnDisconnectedWithNullOnAClientClose() {
    TestHubClient a = connected(hub());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.contains("connected:" + a.connectionId()));
    a.send(CloseMessage.EMPTY);
    CloseMessage echoed = a.awaitClose();
    assertThat(echoed.error()).isNull();
    assertThat(echoed.allowReconnect()).isFalse();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.contains("disconnected:" + a.connectionId() + ":null"));
    a.close();
  }

  @Test
  void aClientCloseWithAnErrorReachesOnDisconnectedAsAnException() {
    TestHubClient a = connected(hub());
    a.send(new CloseMessage("client gave up", false));
    a.awaitClose();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.contains("disconnected:" + a.connectionId() + ":HubException"));
    a.close();
  }

  @Test
  void onDisconnectedGetsAnErrorOnAnAbruptLoss() {
    TestHubClient a = connected(hub());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.contains("connected:" + a.connectionId()));
    a.cancel();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                events.stream()
                    .anyMatch(e -> e.startsWith("disconnected:" + a.connectionId() + ":")));
    assertThat(events).doesNotContain("disconnected:" + a.connectionId() + ":null");
  }

  @Test
  void abortFromTheHubClosesWithoutError() {
    try (TestHubClient a = connected(hub())) {
      a.invoke("abortMe");
      CloseMessage close = a.awaitClose();
      assertThat(close.error()).isNull();
      assertThat(a.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void onConnectedThrowingClosesWithAnErrorAndNoReconnect() {
    try (TestHubClient a = TestHubClient.connect(TestServers.url(server, "/hubs/failconnect"))) {
      CloseMessage close = a.awaitClose();
      assertThat(close.error()).isEqualTo("Connection closed with an error.");
      assertThat(close.allowReconnect()).isFalse();
      assertThat(a.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void filtersWrapInvocationsAndLifecycleInOrder() {
    try (TestHubClient a = TestHubClient.connect(TestServers.url(server, "/hubs/filtered"))) {
      assertThat(a.invokeAndAwait("traced").result()).isEqualTo("traced");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(List.copyOf(events))
                      .containsSubsequence(
                          "A onConnected", "B onConnected", "connected:" + a.connectionId())
                      .containsSubsequence(
                          "A before traced",
                          "B before traced",
                          "method",
                          "B after traced",
                          "A after traced"));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("B onDisconnected"));
  }

  @Test
  void aFilterCanRejectAMethod() {
    try (TestHubClient a = TestHubClient.connect(TestServers.url(server, "/hubs/filtered"))) {
      assertThat(a.invokeAndAwait("forbidden").error())
          .isEqualTo(
              "An unexpected error occurred invoking 'forbidden' on the server."
                  + " HubException: Filter A refused forbidden");
      assertThat(events).doesNotContain("forbidden ran");
    }
  }

  @Test
  void aFilterCanShortCircuitWithItsOwnResult() {
    try (TestHubClient a = TestHubClient.connect(TestServers.url(server, "/hubs/shortcircuit"))) {
      assertThat(a.invokeAndAwait("traced").result()).isEqualTo("short-circuited");
      assertThat(events).doesNotContain("method");
    }
  }

  @Test
  void clientResultFromOutsideAHub() throws Exception {
    try (TestHubClient a = connected(hub())) {
      settle(a); // onConnected has registered the connection
      CompletableFuture<Integer> answer =
          server
              .hubContext("/hubs/model")
              .clients()
              .client(a.connectionId())
              .invoke(Integer.class, "compute", 6, 7);
      InvocationMessage call = a.awaitInvocation("compute");
      assertThat(call.invocationId()).isNotNull();
      assertThat(call.arguments()).containsExactly(6, 7);
      a.send(CompletionMessage.withResult(call.invocationId(), 42));
      assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(42);
    }
  }

  @Test
  void clientResultFromWithinAHubMethod() {
    try (TestHubClient a = connected(hub())) {
      String id = a.invoke("askCaller", "name?");
      InvocationMessage ask = a.awaitInvocation("ask");
      assertThat(ask.arguments()).containsExactly("name?");
      a.send(CompletionMessage.withResult(ask.invocationId(), "Bob"));
      assertThat(a.awaitCompletion(id).result()).isEqualTo("Bob");
    }
  }

  @Test
  void clientResultErrorBecomesAHubException() {
    try (TestHubClient a = connected(hub())) {
      settle(a); // onConnected has registered the connection
      CompletableFuture<String> answer =
          server
              .hubContext("/hubs/model")
              .clients()
              .client(a.connectionId())
              .invoke(String.class, "ask");
      InvocationMessage call = a.awaitInvocation("ask");
      a.send(CompletionMessage.withError(call.invocationId(), "Client didn't provide a result."));
      assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(HubException.class)
          .hasMessage("Client didn't provide a result.");
    }
  }

  @Test
  void clientResultTimesOut() {
    try (TestHubClient a = connected(hub())) {
      settle(a); // onConnected has registered the connection
      CompletableFuture<String> answer =
          server
              .hubContext("/hubs/model")
              .clients()
              .client(a.connectionId())
              .invoke(String.class, "ask");
      a.awaitInvocation("ask");
      assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(HubException.class);
    }
  }

  @Test
  void clientResultFailsWhenTheClientDisconnects() {
    TestHubClient a = connected(hub());
    settle(a);
    CompletableFuture<String> answer =
        server
            .hubContext("/hubs/model")
            .clients()
            .client(a.connectionId())
            .invoke(String.class, "ask");
    a.awaitInvocation("ask");
    a.close();
    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(HubException.class)
        .hasMessage("Connection '" + a.connectionId() + "' disconnected.");
  }

  @Test
  void clientResultForAnUnknownConnectionFails() {
    CompletableFuture<String> answer =
        server.hubContext("/hubs/model").clients().client("nobody").invoke(String.class, "ask");
    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(HubException.class)
        .hasMessage("Connection 'nobody' does not exist.");
  }
}
