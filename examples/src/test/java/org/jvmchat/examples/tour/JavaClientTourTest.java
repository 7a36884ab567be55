package org.jvmchat.examples.tour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.client.HubConnectionState;
import org.jvmchat.client.testing.Recorder;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.testing.TcpProxy;

/**
 * chat-client-java against the real feature tour server (chat-hub-core), in this JVM on a free
 * port: what {@link JavaClientTourContractTest} cannot see from the client alone (cancellation
 * observed on the server), and the connection lifetime: automatic reconnect after a server restart,
 * stateful reconnect through real TCP resets while messages flow, and threads released after many
 * start/stop cycles.
 */
class JavaClientTourTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  private final List<HubConnection> opened = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** As {@code java -jar feature-tour.jar} serves it: stateful reconnect allowed. */
  static final HubOptions TOUR_OPTIONS = HubOptions.builder().allowStatefulReconnects(true).build();

  private HubServer server;

  @BeforeEach
  void startServer() {
    server = FeatureTour.start(0, TOUR_OPTIONS);
  }

  @AfterEach
  void cleanUp() throws Exception {
    opened.forEach(HubConnection::close);
    for (AutoCloseable r : resources) {
      r.close();
    }
    server.stop(Duration.ofSeconds(2));
  }

  static Stream<Arguments> transportsAndProtocols() {
    return Stream.of(
        Arguments.of(HttpTransportType.WebSockets, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.WebSockets, new MessagePackHubProtocol()),
        Arguments.of(HttpTransportType.ServerSentEvents, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new MessagePackHubProtocol()));
  }

  private String url(int port) {
    return "http://127.0.0.1:" + port + "/hubs/tour";
  }

  private HubConnection track(HubConnection c) {
    opened.add(c);
    return c;
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("transportsAndProtocols")
  void cancellingAStreamStopsTheServersProducer(HttpTransportType transport, HubProtocol protocol) {
    HubConnection c =
        track(
            HubConnectionBuilder.create(url(server.port()))
                .transports(transport)
                .protocol(protocol)
                .build());
    join(c.start());
    Recorder<Integer> endless = new Recorder<>(Long.MAX_VALUE);
    c.stream(Integer.class, "Counter", 1_000_000, 10).subscribe(endless);
    await().atMost(WAIT).until(() -> endless.items.size() >= 3);
    assertThat(join(c.invoke(Integer.class, "CounterProduced"))).isGreaterThanOrEqualTo(3);

    endless.subscription.cancel();
    // The server's producer stops: CounterProduced settles and then stays where it is.
    AtomicInteger last = new AtomicInteger(-1);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(150))
        .until(
            () -> {
              int now = join(c.invoke(Integer.class, "CounterProduced"));
              return now == last.getAndSet(now);
            });
    int settled = last.get();
    await()
        .during(Duration.ofMillis(600))
        .atMost(WAIT)
        .until(() -> join(c.invoke(Integer.class, "CounterProduced")) == settled);
    assertThat(settled).isLessThan(1_000_000);
    assertThat(endless.terminated()).isFalse();
    assertThat(c.state()).isEqualTo(HubConnectionState.Connected);
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("transportsAndProtocols")
  void failCompletesWithTheServersMessage(HttpTransportType transport, HubProtocol protocol) {
    HubConnection c =
        track(
            HubConnectionBuilder.create(url(server.port()))
                .transports(transport)
                .protocol(protocol)
                .build());
    join(c.start());
    assertThat(c.invoke(Object.class, "Fail"))
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(HubException.class)
        .withMessageContaining("This method always fails.");
    Recorder<Integer> badStream = new Recorder<>(Long.MAX_VALUE);
    c.stream(Integer.class, "Counter", -1, 0).subscribe(badStream);
    await().atMost(WAIT).until(badStream::terminated);
    assertThat(badStream.error.get())
        .isInstanceOf(HubException.class)
        .hasMessageContaining("must not be negative");
    assertThat(join(c.invoke(String.class, "Echo", "still here"))).isEqualTo("still here");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(HttpTransportType.class)
  void automaticReconnectAfterAServerRestart(HttpTransportType transport) {
    int port = server.port();
    HubConnection c =
        track(
            HubConnectionBuilder.create(url(port))
                .transports(transport)
                // Retries for as long as the test waits, not a fixed number of times: on a loaded
                // machine the stop and the restart below can outlast a few seconds of fixed delays.
                .withAutomaticReconnect(
                    context ->
                        context.elapsed().compareTo(WAIT.multipliedBy(2)) < 0
                            ? Duration.ofMillis(Math.min(1000, 100 * context.previousRetryCount()))
                            : null)
                .build());
    AtomicReference<Throwable> reconnecting = new AtomicReference<>();
    AtomicBoolean reconnectingFired = new AtomicBoolean();
    AtomicReference<String> reconnectedId = new AtomicReference<>();
    AtomicBoolean closed = new AtomicBoolean();
    AtomicReference<Throwable> closeError = new AtomicReference<>();
    c.onReconnecting(
        e -> {
          reconnecting.set(e);
          reconnectingFired.set(true);
        });
    c.onReconnected(reconnectedId::set);
    c.onClose(
        e -> {
          closeError.set(e);
          closed.set(true);
        });
    join(c.start());
    String oldId = c.connectionId();
    assertThat(join(c.invoke(String.class, "Echo", "before"))).isEqualTo("before");

    server.stop(Duration.ofSeconds(2));
    await().atMost(WAIT).untilTrue(reconnectingFired);
    assertThat(c.state()).isIn(HubConnectionState.Reconnecting, HubConnectionState.Connected);
    // A new server process on the same port (the old listener may take a moment to release it).
    AtomicReference<HubServer> restarted = new AtomicReference<>();
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () -> {
              restarted.set(FeatureTour.start(port, TOUR_OPTIONS));
              return true;
            });
    server = restarted.get();

    await().atMost(WAIT).until(() -> reconnectedId.get() != null || closed.get());
    assertThat(closed).as("closed with %s instead of reconnecting", closeError.get()).isFalse();
    assertThat(reconnectedId.get()).isNotEqualTo(oldId).isEqualTo(c.connectionId());
    assertThat(c.state()).isEqualTo(HubConnectionState.Connected);
    assertThat(closed).isFalse();
    assertThat(join(c.invoke(String.class, "Echo", "after"))).isEqualTo("after");
    assertThat(join(c.invoke(Integer.class, "Add", 1, 2))).isEqualTo(3);
  }

  static Stream<HubProtocol> protocols() {
    return Stream.of(new JsonHubProtocol(), new MessagePackHubProtocol());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocols")
  void statefulReconnectDeliversEveryBroadcastOnceInOrder(HubProtocol protocol) throws Exception {
    TcpProxy proxy = new TcpProxy("127.0.0.1", server.port());
    resources.add(proxy);
    HubConnection receiver =
        track(
            HubConnectionBuilder.create(url(proxy.port()))
                .transports(HttpTransportType.WebSockets)
                .protocol(protocol)
                .withStatefulReconnect()
                .build());
    List<String> got = new CopyOnWriteArrayList<>();
    AtomicBoolean reconnecting = new AtomicBoolean();
    AtomicBoolean closed = new AtomicBoolean();
    receiver.on("Broadcasted", String.class, got::add);
    receiver.onReconnecting(e -> reconnecting.set(true));
    AtomicReference<Throwable> closeError = new AtomicReference<>();
    receiver.onClose(
        e -> {
          closeError.set(e);
          closed.set(true);
        });
    join(receiver.start());
    String id = receiver.connectionId();

    HubConnection sender =
        track(
            HubConnectionBuilder.create(url(server.port()))
                .transports(HttpTransportType.WebSockets)
                .protocol(protocol)
                .build());
    sender.on("Broadcasted", String.class, m -> {});
    join(sender.start());

    int total = 600;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      String text = protocol.name() + "-" + i;
      expected.add(text);
      join(sender.send("Broadcast", text));
      if (i == 100 || i == 350) {
        proxy.dropAll(); // the server is still pushing earlier broadcasts to the receiver
        // One cut at a time: a round trip proves the socket was replaced before the next cut
        // (a cut during the re-attach itself ends the connection, as in the JavaScript client).
        assertThat(join(receiver.invoke(String.class, "Echo", "cut " + i))).isEqualTo("cut " + i);
      }
    }
    await().atMost(WAIT).until(() -> got.size() >= total || closed.get());
    assertThat(closed)
        .as("closed with %s after %d messages", closeError.get(), got.size())
        .isFalse();
    assertThat(got).containsExactlyElementsOf(expected);
    assertThat(reconnecting).isFalse();
    assertThat(receiver.connectionId()).isEqualTo(id);
    assertThat(join(receiver.invoke(String.class, "Echo", "same connection")))
        .isEqualTo("same connection");
    // Nothing extra arrives after the last one.
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> got.size() == total);
  }

  /**
   * Every live thread except the server's ({@code jvmchat-io}, {@code jvmchat-hub}, ...: Netty
   * starts its event loops lazily, so their number grows with connections) and the process-wide
   * ones that are not the client's (OkHttp's task runner and Okio's watchdog, shared by every
   * OkHttp client and exiting when idle; the common pool; Awaitility's poller).
   */
  private static Set<String> nonServerThreads() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (t.isAlive()
          && !n.startsWith("jvmchat-io")
          && !n.startsWith("jvmchat-hub")
          && !n.startsWith("jvmchat-accept")
          && !n.startsWith("jvmchat-heartbeat")
          && !n.startsWith("tour-counter")
          && !n.startsWith("OkHttp TaskRunner")
          && !n.startsWith("OkHttp ConnectionPool")
          && !n.startsWith("Okio Watchdog")
          && !n.startsWith("ForkJoinPool")
          && !n.startsWith("awaitility")) {
        names.add(n + "#" + t.getId());
      }
    }
    return names;
  }

  private static long clientThreadCount() {
    return nonServerThreads().stream().filter(n -> n.startsWith("jvmchat-client-")).count();
  }

  @Test
  void startStopCyclesReleaseTheClientsThreads() {
    HubConnection warm = HubConnectionBuilder.create(url(server.port())).build();
    join(warm.start());
    join(warm.stop());
    await().atMost(WAIT).until(() -> clientThreadCount() == 0);
    Set<String> baseline = nonServerThreads();

    HttpTransportType[] transports = HttpTransportType.values();
    HubProtocol[] protocols = {new JsonHubProtocol(), new MessagePackHubProtocol()};
    int cycles = 60;
    long peak = 0;
    for (int i = 0; i < cycles; i++) {
      HttpTransportType transport = transports[i % transports.length];
      HubProtocol protocol =
          transport == HttpTransportType.ServerSentEvents
              ? protocols[0]
              : protocols[(i / transports.length) % 2];
      HubConnection c =
          HubConnectionBuilder.create(url(server.port()))
              .transports(transport)
              .protocol(protocol)
              .withStatefulReconnect()
              .build();
      join(c.start());
      assertThat(join(c.invoke(String.class, "Echo", "cycle " + i))).isEqualTo("cycle " + i);
      peak = Math.max(peak, clientThreadCount());
      if (i % 2 == 0) {
        join(c.stop());
      } else {
        c.close();
      }
      assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
    }
    // No thread that was not there before (JVM threads may have ended meanwhile).
    await().atMost(WAIT).untilAsserted(() -> assertThat(baseline).containsAll(nonServerThreads()));
    assertThat(clientThreadCount()).isZero();
    await().atMost(WAIT).until(() -> server.connectionCount() == 0);
    System.out.println(
        "JavaClientTourTest: "
            + cycles
            + " start/stop cycles against the real tour server; up to "
            + peak
            + " client threads while connected; "
            + baseline.size()
            + " non-server threads before, "
            + nonServerThreads().size()
            + " after");
  }
}
