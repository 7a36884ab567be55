package org.jvmchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.client.testing.FakeConnection;
import org.jvmchat.client.testing.FakeHubServer;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** Every transport with every protocol it can carry, and the fallback between transports. */
class TransportsTest extends ClientTestSupport {

  static Stream<Arguments> transportsAndProtocols() {
    return Stream.of(
        Arguments.of(HttpTransportType.WebSockets, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.WebSockets, new MessagePackHubProtocol()),
        Arguments.of(HttpTransportType.ServerSentEvents, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new JsonHubProtocol()),
        Arguments.of(HttpTransportType.LongPolling, new MessagePackHubProtocol()));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("transportsAndProtocols")
  void usesTheTransportPingsUnlessLongPollingAndClosesCleanly(
      HttpTransportType transport, HubProtocol protocol) {
    HubConnection c =
        started(
            builder()
                .transports(transport)
                .protocol(protocol)
                .keepAliveInterval(java.time.Duration.ofMillis(50)));
    FakeConnection s = server.connection(0);
    assertThat(s.transport()).isEqualTo(transport);
    assertThat(join(c.invoke(String.class, "Echo", "x"))).isEqualTo("x");
    if (transport == HttpTransportType.LongPolling) {
      await()
          .during(java.time.Duration.ofMillis(300))
          .atMost(WAIT)
          .until(() -> s.received.stream().noneMatch(m -> m == PingMessage.INSTANCE));
    } else {
      await()
          .atMost(WAIT)
          .until(() -> s.received.stream().filter(m -> m == PingMessage.INSTANCE).count() >= 2);
    }

    if (transport == HttpTransportType.LongPolling) {
      // The client stops long polling with a DELETE once its Close is posted. A server that ends
      // the connection on that Close (204 to the held poll) can answer before the POST returns;
      // the client is then already closed and sends no DELETE, as the JavaScript client does.
      // This test checks the DELETE, so its server leaves the end to it.
      server.endOnClientClose = false;
    }
    join(c.stop());
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
    await().atMost(WAIT).until(() -> s.processed.stream().anyMatch(m -> m instanceof CloseMessage));
    if (transport == HttpTransportType.LongPolling) {
      await()
          .atMost(WAIT)
          .until(() -> !server.requests("DELETE", FakeHubServer.HUB_PATH).isEmpty());
      RecordedRequest delete = server.requests("DELETE", FakeHubServer.HUB_PATH).get(0);
      assertThat(delete.getUrl().queryParameter("id")).isEqualTo(s.token);
    }
  }

  @Test
  void serverSentEventsSendsAcceptHeaderAndPostsWithTheToken() {
    HubConnection c =
        started(
            builder()
                .transports(HttpTransportType.ServerSentEvents)
                .accessTokenProvider(() -> "sse-token"));
    join(c.invoke(String.class, "Echo", "x"));
    FakeConnection s = server.connection(0);
    RecordedRequest get = server.requests("GET", FakeHubServer.HUB_PATH).get(0);
    assertThat(get.getHeaders().get("Accept")).isEqualTo("text/event-stream");
    assertThat(get.getHeaders().get("Authorization")).isEqualTo("Bearer sse-token");
    RecordedRequest post = server.requests("POST", FakeHubServer.HUB_PATH).get(0);
    assertThat(post.getUrl().queryParameter("id")).isEqualTo(s.token);
    assertThat(post.getHeaders().get("Content-Type")).startsWith("text/plain");
  }

  @Test
  void longPollingSendsACacheBusterAndEndsCleanlyOn204() {
    HubConnection c = started(builder().transports(HttpTransportType.LongPolling));
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    c.onClose(e -> closed.complete(e == null ? new NullPointerException("clean") : e));
    join(c.invoke(String.class, "Echo", "x"));
    RecordedRequest poll = server.requests("GET", FakeHubServer.HUB_PATH).get(0);
    assertThat(poll.getUrl().queryParameter("_")).isNotNull();
    server.connection(0).closeTransport(); // the next poll gets 204
    assertThat(join(closed)).hasMessage("clean");
  }

  /**
   * A poll whose connection closes before its answer ends the connection, as in the official
   * clients. OkHttp would otherwise send the GET again on a new connection, and the connection
   * would go on without what the server took out of its queue for the lost answer.
   */
  @Test
  void aLongPollThatBreaksEndsTheConnectionInsteadOfBeingSentAgain() {
    HubConnection c = started(builder().transports(HttpTransportType.LongPolling));
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    c.onClose(e -> closed.complete(e == null ? new NullPointerException("clean") : e));
    assertThat(join(c.invoke(String.class, "Echo", "x"))).isEqualTo("x");
    server.dropNextPoll.set(true);
    server.connection(0).sendInvocation("Ping"); // answers the poll held now; the next is dropped
    assertThat(join(closed)).hasMessageContaining("Long polling failed");
    assertThat(server.dropNextPoll).isFalse();
  }

  @Test
  void fallsBackInTheServersOrderAndRenegotiates() {
    server.offered =
        List.of(
            HttpTransportType.WebSockets,
            HttpTransportType.ServerSentEvents,
            HttpTransportType.LongPolling);
    server.failing =
        java.util.EnumSet.of(HttpTransportType.WebSockets, HttpTransportType.ServerSentEvents);
    HubConnection c = started(builder());
    assertThat(server.requests("POST", "/negotiate")).hasSize(3);
    assertThat(server.connections()).hasSize(3);
    assertThat(server.connection(2).transport()).isEqualTo(HttpTransportType.LongPolling);
    assertThat(c.connectionId()).isEqualTo(server.connection(2).id);
    assertThat(join(c.invoke(String.class, "Echo", "fell back"))).isEqualTo("fell back");
  }

  @Test
  void followsTheServersOrderNotTheClients() {
    server.offered = List.of(HttpTransportType.LongPolling, HttpTransportType.WebSockets);
    started(builder());
    assertThat(server.connection(0).transport()).isEqualTo(HttpTransportType.LongPolling);
  }

  @Test
  void allTransportsFailingReportsEachError() {
    server.failing = java.util.EnumSet.allOf(HttpTransportType.class);
    HubConnection c = track(builder().build());
    assertThat(failure(c.start()))
        .isInstanceOf(HubConnectionException.class)
        .hasMessageStartingWith(
            "Unable to connect to the server with any of the available transports.")
        .hasMessageContaining("WebSockets failed")
        .hasMessageContaining("ServerSentEvents failed")
        .hasMessageContaining("LongPolling failed");
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }

  @Test
  void messagePackSkipsServerSentEvents() {
    server.offered = List.of(HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling);
    started(builder().protocol(new MessagePackHubProtocol()));
    assertThat(server.connection(0).transport()).isEqualTo(HttpTransportType.LongPolling);
  }

  @Test
  void noCommonTransportFailsStart() {
    server.offered = List.of(HttpTransportType.LongPolling);
    HubConnection c = track(builder().transports(HttpTransportType.WebSockets).build());
    assertThat(failure(c.start()))
        .hasMessageStartingWith(
            "None of the transports supported by the client are supported by the server");
  }
}
