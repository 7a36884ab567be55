package org.jvmchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jvmchat.client.testing.FakeConnection;
import org.jvmchat.client.testing.FakeHubServer;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.testing.TcpProxy;

/** Stateful reconnect: a dropped WebSocket is replaced without losing or repeating messages. */
class StatefulReconnectTest extends ClientTestSupport {

  private HubConnectionBuilder stateful() {
    server.allowStatefulReconnect = true;
    return builder().transports(HttpTransportType.WebSockets).withStatefulReconnect();
  }

  @ParameterizedTest(name = "messagepack={0}")
  @ValueSource(booleans = {false, true})
  void aDroppedSocketIsReplacedAndNothingIsLostOrDuplicated(boolean messagePack) {
    AtomicInteger tokens = new AtomicInteger();
    HubConnectionBuilder b = stateful().accessTokenProvider(() -> "t" + tokens.incrementAndGet());
    if (messagePack) {
      b.protocol(new MessagePackHubProtocol());
    }
    HubConnection c = started(b.withAutomaticReconnect());
    AtomicInteger reconnecting = new AtomicInteger();
    c.onReconnecting(e -> reconnecting.incrementAndGet());
    List<Integer> received = new CopyOnWriteArrayList<>();
    c.on("Number", Integer.class, received::add);
    FakeConnection s = server.connection(0);
    assertThat(s.handshakeVersion()).isEqualTo(2);
    String connectionId = c.connectionId();

    assertThat(join(c.invoke(String.class, "Echo", "before"))).isEqualTo("before");
    for (int i = 0; i < 3; i++) {
      s.sendInvocation("Number", i);
    }
    await().atMost(WAIT).until(() -> received.size() == 3);

    s.dropSocket();
    // While the socket is down the server keeps sending (the writes are lost on the wire, kept
    // in its replay log), and the client keeps invoking (buffered, replayed on the new socket).
    for (int i = 3; i < 6; i++) {
      s.sendInvocation("Number", i);
    }
    List<CompletableFuture<String>> echoes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      echoes.add(c.invoke(String.class, "Echo", "during " + i));
    }
    for (int i = 0; i < 3; i++) {
      assertThat(join(echoes.get(i))).isEqualTo("during " + i);
    }
    await().atMost(WAIT).until(() -> received.size() >= 6);
    for (int i = 6; i < 8; i++) {
      s.sendInvocation("Number", i);
    }
    await().atMost(WAIT).until(() -> received.size() >= 8);

    assertThat(received).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(reconnecting.get()).isZero();
    assertThat(c.connectionId()).isEqualTo(connectionId);
    assertThat(c.state()).isEqualTo(HubConnectionState.Connected);
    assertThat(server.connections()).hasSize(1);
    assertThat(server.requests("POST", "/negotiate")).hasSize(1);

    // The second upgrade goes to the same connection token, with a fresh access token.
    List<RecordedRequest> upgrades = server.requests("GET", FakeHubServer.HUB_PATH);
    assertThat(upgrades).hasSize(2);
    assertThat(upgrades.get(1).getUrl().queryParameter("id")).isEqualTo(s.token);
    assertThat(upgrades.get(1).getHeaders().get("Authorization")).isEqualTo("Bearer t2");
    // The client announced where its replay starts, and the hub ran each invocation once.
    assertThat(s.received).anyMatch(m -> m instanceof SequenceMessage);
    assertThat(
            s.processed.stream()
                .filter(m -> m instanceof InvocationMessage)
                .map(m -> ((InvocationMessage) m).arguments().get(0)))
        .containsExactly("before", "during 0", "during 1", "during 2");
  }

  @Test
  void survivesARealTcpReset() throws Exception {
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", server.url().port())) {
      server.allowStatefulReconnect = true;
      HubConnection c =
          started(
              HubConnectionBuilder.create(
                      "http://127.0.0.1:" + proxy.port() + FakeHubServer.HUB_PATH)
                  .transports(HttpTransportType.WebSockets)
                  .withStatefulReconnect()
                  .withAutomaticReconnect());
      AtomicInteger reconnecting = new AtomicInteger();
      c.onReconnecting(e -> reconnecting.incrementAndGet());
      String id = c.connectionId();
      assertThat(join(c.invoke(String.class, "Echo", "before"))).isEqualTo("before");
      proxy.dropAll(); // RST on both sides, no close frame
      List<CompletableFuture<String>> echoes = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        echoes.add(c.invoke(String.class, "Echo", "during " + i));
      }
      for (int i = 0; i < 5; i++) {
        assertThat(join(echoes.get(i))).isEqualTo("during " + i);
      }
      assertThat(c.connectionId()).isEqualTo(id);
      assertThat(reconnecting.get()).isZero();
      assertThat(server.connections()).hasSize(1);
    }
  }

  @Test
  void longPollingDoesNotUseStatefulReconnect() {
    server.allowStatefulReconnect = true;
    started(builder().transports(HttpTransportType.LongPolling).withStatefulReconnect());
    assertThat(server.connection(0).handshakeVersion()).isEqualTo(1);
  }

  @Test
  void ifTheConnectionIsGoneTheClientFallsBackToAutomaticReconnect() {
    HubConnection c = started(stateful().withAutomaticReconnect());
    CompletableFuture<String> reconnected = new CompletableFuture<>();
    c.onReconnected(reconnected::complete);
    FakeConnection s = server.connection(0);
    server.failing = java.util.EnumSet.of(HttpTransportType.WebSockets);
    s.dropSocket();
    // The same-token WebSocket is refused, so the connection is lost; automatic reconnect then
    // negotiates anew, and the first WebSocket attempt of the new connection is refused as well
    // until the test lets it through.
    await().atMost(WAIT).until(() -> c.state() == HubConnectionState.Reconnecting);
    server.failing = java.util.EnumSet.noneOf(HttpTransportType.class);
    assertThat(join(reconnected)).isNotEqualTo(s.id);
  }
}
