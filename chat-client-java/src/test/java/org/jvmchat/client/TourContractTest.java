package org.jvmchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.client.testing.Recorder;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * The protocol feature tour of CONTRACT.md (hub {@code /hubs/tour}: Echo, Add, Counter, Sum,
 * AskClient, Broadcast, Fail) over every transport and protocol, asserting only what the contract
 * promises. A subclass says where the hub is: {@link FakeServerTourTest} runs it against the
 * in-test fake; a subclass that starts the real feature tour (chat-hub-core + examples) and returns
 * its URL runs the same checks against it.
 */
public abstract class TourContractTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  private final List<HubConnection> opened = new ArrayList<>();

  /** The tour hub's URL, e.g. {@code http://127.0.0.1:8080/hubs/tour}. */
  protected abstract String tourUrl();

  static Stream<Arguments> transportsAndProtocols() {
    return Stream.of(
        Arguments.of(HttpTransportType.WebSockets, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.WebSockets, new MessagePackHubProtocol()),
        Arguments.of(HttpTransportType.ServerSentEvents, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new MessagePackHubProtocol()));
  }

  @AfterEach
  void closeConnections() {
    opened.forEach(HubConnection::close);
  }

  private HubConnection connect(HttpTransportType transport, HubProtocol protocol) {
    HubConnection c =
        HubConnectionBuilder.create(tourUrl()).transports(transport).protocol(protocol).build();
    opened.add(c);
    join(c.start());
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
  void invocations(HttpTransportType transport, HubProtocol protocol) {
    HubConnection c = connect(transport, protocol);
    assertThat(join(c.invoke(String.class, "Echo", "héllo \u001e ✓"))).isEqualTo("héllo \u001e ✓");
    assertThat(join(c.invoke(Integer.class, "Add", 20, 22))).isEqualTo(42);
    assertThat(c.invoke(Object.class, "Fail"))
        .failsWithin(WAIT)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(HubException.class);
    assertThat(c.state()).isEqualTo(HubConnectionState.Connected);
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("transportsAndProtocols")
  void streams(HttpTransportType transport, HubProtocol protocol) {
    HubConnection c = connect(transport, protocol);
    Recorder<Integer> counter = new Recorder<>(Long.MAX_VALUE);
    c.stream(Integer.class, "Counter", 4, 1).subscribe(counter);
    await().atMost(WAIT).until(() -> counter.completed);
    assertThat(counter.items).containsExactly(0, 1, 2, 3);

    Recorder<Integer> endless = new Recorder<>(Long.MAX_VALUE);
    c.stream(Integer.class, "Counter", 1_000_000, 5).subscribe(endless);
    await().atMost(WAIT).until(() -> endless.items.size() >= 2);
    endless.subscription.cancel();
    // After the cancel the connection is still fine.
    assertThat(join(c.invoke(String.class, "Echo", "after cancel"))).isEqualTo("after cancel");

    try (SubmissionPublisher<Integer> numbers = new SubmissionPublisher<>()) {
      CompletableFuture<Integer> sum = c.invoke(Integer.class, "Sum", numbers);
      await().atMost(WAIT).until(() -> numbers.getNumberOfSubscribers() == 1);
      for (int i = 1; i <= 100; i++) {
        numbers.submit(i);
      }
      numbers.close();
      assertThat(join(sum)).isEqualTo(5050);
    }
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("transportsAndProtocols")
  void clientResultsAndBroadcasts(HttpTransportType transport, HubProtocol protocol) {
    HubConnection c = connect(transport, protocol);
    HubConnection other = connect(HttpTransportType.WebSockets, new JsonHubProtocol());
    c.onWithResult("Ask", args -> "answer to " + args[0], String.class);
    assertThat(join(c.invoke(String.class, "AskClient", "q"))).isEqualTo("answer to q");

    List<String> mine = new CopyOnWriteArrayList<>();
    List<String> theirs = new CopyOnWriteArrayList<>();
    c.on("Broadcasted", String.class, mine::add);
    other.on("Broadcasted", String.class, theirs::add);
    join(c.invoke(Object.class, "Broadcast", "to everyone"));
    await()
        .atMost(WAIT)
        .until(() -> mine.contains("to everyone") && theirs.contains("to everyone"));

    join(c.stop());
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }
}
