package org.jvmchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.jvmchat.client.testing.FakeHubServer;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** Negotiate v1: redirects, errors, and the access token's life. */
class NegotiateTest extends ClientTestSupport {

  @Test
  void followsARedirectAndUsesItsTokenFromThenOn() {
    String target = server.url().toString();
    server.negotiateOverride =
        r ->
            r.getUrl().encodedPath().startsWith("/elsewhere")
                ? FakeHubServer.json(
                    "{\"url\":\"" + target + "\",\"accessToken\":\"redirect-token\"}")
                : null;
    HubConnection c =
        started(
            HubConnectionBuilder.create(server.url("/elsewhere/hub").toString())
                .accessTokenProvider(() -> "app-token")
                .transports(HttpTransportType.WebSockets));
    assertThat(server.requests("POST", "/negotiate")).hasSize(2);
    RecordedRequest first = server.requests("POST", "/negotiate").get(0);
    RecordedRequest second = server.requests("POST", "/negotiate").get(1);
    assertThat(first.getUrl().encodedPath()).isEqualTo("/elsewhere/hub/negotiate");
    assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer app-token");
    assertThat(second.getUrl().encodedPath()).isEqualTo(FakeHubServer.HUB_PATH + "/negotiate");
    assertThat(second.getHeaders().get("Authorization")).isEqualTo("Bearer redirect-token");
    RecordedRequest upgrade = server.requests("GET", FakeHubServer.HUB_PATH).get(0);
    assertThat(upgrade.getHeaders().get("Authorization")).isEqualTo("Bearer redirect-token");
    assertThat(join(c.invoke(String.class, "Echo", "redirected"))).isEqualTo("redirected");
  }

  @Test
  void endlessRedirectsStopAtTheLimit() {
    String self = server.url("/loop").toString();
    server.negotiateOverride = r -> FakeHubServer.json("{\"url\":\"" + self + "\"}");
    HubConnection c = track(HubConnectionBuilder.create(self).build());
    assertThat(failure(c.start())).hasMessage("Negotiate redirection limit exceeded.");
    assertThat(server.requests("POST", "/negotiate")).hasSize(101);
  }

  @Test
  void anErrorBodyFailsStartWithItsText() {
    server.negotiateOverride =
        r -> FakeHubServer.json("{\"error\":\"The client requested version '1', but no.\"}");
    HubConnection c = track(builder().build());
    assertThat(failure(c.start()))
        .isInstanceOf(HubConnectionException.class)
        .hasMessage("The client requested version '1', but no.");
    assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
  }

  @Test
  void notFoundExplainsItself() {
    HubConnection c = track(HubConnectionBuilder.create(server.url("/nothing").toString()).build());
    assertThat(failure(c.start()))
        .hasMessageContaining("status code 404")
        .hasMessageContaining("Either this is not a SignalR endpoint");
  }

  @Test
  void unauthorizedFailsStart() {
    server.negotiateOverride = r -> new MockResponse.Builder().code(401).build();
    HubConnection c = track(builder().build());
    assertThat(failure(c.start())).hasMessageContaining("status code 401");
  }

  @Test
  void tokenProviderIsCalledForEveryNegotiate() {
    AtomicInteger calls = new AtomicInteger();
    HubConnection c =
        started(
            builder()
                .accessTokenProvider(() -> "t" + calls.incrementAndGet())
                .withAutomaticReconnect());
    CompletableFuture<String> reconnected = new CompletableFuture<>();
    c.onReconnected(reconnected::complete);
    server.connection(0).dropSocket();
    join(reconnected);
    assertThat(server.requests("POST", "/negotiate"))
        .extracting(r -> r.getHeaders().get("Authorization"))
        .containsExactly("Bearer t1", "Bearer t2");
  }

  @Test
  void statefulReconnectTheClientDidNotAskForIsRefused() {
    server.negotiateOverride =
        r ->
            FakeHubServer.json(
                "{\"useStatefulReconnect\":true,\"negotiateVersion\":1,\"connectionId\":\"a\","
                    + "\"connectionToken\":\"b\",\"availableTransports\":[]}");
    HubConnection c = track(builder().build());
    assertThat(failure(c.start()))
        .hasMessage("Client didn't negotiate Stateful Reconnect but the server did.");
  }

  @Test
  void version1WithoutTokenIsRejected() {
    server.negotiateOverride =
        r ->
            FakeHubServer.json(
                "{\"negotiateVersion\":1,\"connectionId\":\"a\",\"availableTransports\":[]}");
    HubConnection c = track(builder().build());
    assertThat(failure(c.start())).hasMessageContaining("no connectionToken");
  }

  @Test
  void askingForStatefulReconnectSetsTheQuery() {
    server.allowStatefulReconnect = false;
    started(builder().withStatefulReconnect().transports(HttpTransportType.WebSockets));
    RecordedRequest negotiate = server.requests("POST", "/negotiate").get(0);
    assertThat(negotiate.getUrl().queryParameter("useStatefulReconnect")).isEqualTo("true");
    assertThat(server.connection(0).handshakeVersion()).isEqualTo(1); // server did not agree
  }

  @Test
  void queryParametersAreAskedAgainForEveryConnectAndReachNegotiateAndTheTransport() {
    AtomicInteger calls = new AtomicInteger();
    HubConnection c =
        started(
            builder()
                .transports(HttpTransportType.WebSockets)
                .queryParameters(() -> Map.of("lastSeq", "room-1:" + calls.incrementAndGet()))
                .withAutomaticReconnect());
    CompletableFuture<String> reconnected = new CompletableFuture<>();
    c.onReconnected(reconnected::complete);
    server.connection(0).dropSocket();
    join(reconnected);
    assertThat(server.requests("POST", "/negotiate"))
        .extracting(r -> r.getUrl().queryParameter("lastSeq"))
        .containsExactly("room-1:1", "room-1:2");
    assertThat(server.requests("GET", FakeHubServer.HUB_PATH))
        .extracting(r -> r.getUrl().queryParameter("lastSeq"))
        .containsExactly("room-1:1", "room-1:2");
  }

  /**
   * A reconnect begins once the handlers of what the lost connection delivered have run (the
   * official clients' receive loop runs them before it reconnects), so its query parameters, e.g.
   * the last seq seen, reflect them. Here the handler of the last message is still running when the
   * socket drops: the retry policy and the reconnect's negotiate must see what it recorded.
   */
  @Test
  void aReconnectAsksForItsQueryParametersAfterTheLostConnectionsHandlersRan() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    CountDownLatch handlerStarted = new CountDownLatch(1);
    CountDownLatch handlerMayEnd = new CountDownLatch(1);
    List<Integer> seenByThePolicy = new CopyOnWriteArrayList<>();
    HubConnection c =
        started(
            builder()
                .transports(HttpTransportType.WebSockets)
                .queryParameters(() -> Map.of("lastSeq", "room-1:" + seen.get()))
                .withAutomaticReconnect(
                    (RetryPolicy)
                        ctx -> {
                          seenByThePolicy.add(seen.get());
                          return ctx.previousRetryCount() == 0 ? Duration.ZERO : null;
                        }));
    c.on(
        "Receive",
        Integer.class,
        seq -> {
          handlerStarted.countDown();
          try {
            handlerMayEnd.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          seen.set(seq);
        });
    CompletableFuture<String> reconnected = new CompletableFuture<>();
    c.onReconnected(reconnected::complete);
    server.connection(0).sendInvocation("Receive", 7);
    assertThat(handlerStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    server.connection(0).dropSocket();
    await()
        .atMost(WAIT)
        .until(
            () ->
                c.state() == HubConnectionState.Reconnecting
                    || server.requests("POST", "/negotiate").size() > 1);
    handlerMayEnd.countDown();
    join(reconnected);
    assertThat(seenByThePolicy).containsExactly(7);
    assertThat(server.requests("POST", "/negotiate"))
        .extracting(r -> r.getUrl().queryParameter("lastSeq"))
        .containsExactly("room-1:0", "room-1:7");
  }
}
