package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.TestHubClient.HttpResult;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/** Negotiate (SIGNALR.md §1.2), transport status codes (§1.3), CORS and authentication. */
class NegotiateAndTransportStatusTest {
  static final String ORIGIN = "https://good.example";
  static HubServer server;

  public static class EchoHub extends Hub {
    public String echo(String s) {
      return s;
    }

    public String whoAmI() {
      return context().userIdentifier();
    }
  }

  @BeforeAll
  static void start() {
    HubOptions wsOnly =
        HubOptions.builder().transports(EnumSet.of(HttpTransportType.WebSockets)).build();
    HubOptions noWs =
        HubOptions.builder()
            .transports(
                EnumSet.of(HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling))
            .build();
    server =
        TestServers.start(
            HubServer.builder()
                .hub("/hubs/echo", EchoHub::new)
                .hub(
                    "/hubs/stateful",
                    EchoHub::new,
                    HubOptions.builder().allowStatefulReconnects(true).build())
                .hub("/hubs/wsonly", EchoHub::new, wsOnly)
                .hub("/hubs/nows", EchoHub::new, noWs)
                .hub(
                    HubMapping.builder("/hubs/secure", EchoHub::new)
                        .requireAuthenticatedUser(true)
                        .build())
                .corsOrigins(Set.of(ORIGIN))
                .authenticator(
                    new BearerTokenAuthenticator(
                        token -> {
                          if (token.equals("bad")) {
                            throw new UnauthorizedException("bad token");
                          }
                          return HubUser.of(token, token.toUpperCase());
                        })));
  }

  @AfterAll
  static void stop() {
    server.stop(java.time.Duration.ofSeconds(1));
  }

  static String url(String path) {
    return TestServers.url(server, path);
  }

  private static final String ALL_TRANSPORTS =
      "\"availableTransports\":[{\"transport\":\"WebSockets\",\"transferFormats\":[\"Text\",\"Binary\"]},"
          + "{\"transport\":\"ServerSentEvents\",\"transferFormats\":[\"Text\"]},"
          + "{\"transport\":\"LongPolling\",\"transferFormats\":[\"Text\",\"Binary\"]}]";

  @Test
  void negotiateVersion1ReturnsIdAndTokenInServerPropertyOrder() {
    HttpResult r = TestHubClient.post(url("/hubs/echo/negotiate?negotiateVersion=1"), "");
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.headers().get("Content-Type")).startsWith("application/json");
    assertThat(r.body())
        .matches(
            "\\{\"negotiateVersion\":1,\"connectionId\":\"[A-Za-z0-9_-]{22}\","
                + "\"connectionToken\":\"[A-Za-z0-9_-]{22}\","
                + java.util.regex.Pattern.quote(ALL_TRANSPORTS)
                + "}");
    NegotiateResponse n = NegotiateResponse.parse(r.body().getBytes());
    assertThat(n.connectionToken()).isNotEqualTo(n.connectionId());
  }

  @Test
  void negotiateVersion0HasNoTokenAndTheIdIsTheToken() {
    HttpResult r = TestHubClient.post(url("/hubs/echo/negotiate"), "");
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.body())
        .matches(
            "\\{\"negotiateVersion\":0,\"connectionId\":\"[A-Za-z0-9_-]{22}\","
                + java.util.regex.Pattern.quote(ALL_TRANSPORTS)
                + "}");
    NegotiateResponse n = NegotiateResponse.parse(r.body().getBytes());
    try (TestHubClient c =
        TestHubClient.open(
            TestHubClient.wsUrl(url("/hubs/echo")) + "?id=" + n.connectionId(),
            new JsonHubProtocol())) {
      c.handshake("json", 1);
      assertThat(c.invokeAndAwait("echo", "v0").result()).isEqualTo("v0");
    }
  }

  @Test
  void negotiateVersionAboveOneIsAnsweredWithOne() {
    HttpResult r = TestHubClient.post(url("/hubs/echo/negotiate?negotiateVersion=7"), "");
    assertThat(r.body()).startsWith("{\"negotiateVersion\":1,");
  }

  @Test
  void nonIntegerNegotiateVersionIsAnErrorBodyWithStatus200() {
    HttpResult r = TestHubClient.post(url("/hubs/echo/negotiate?negotiateVersion=abc"), "");
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo("{\"error\":\"The client requested a non-integer protocol version.\"}");
  }

  @Test
  void statefulReconnectOnlyWhenTheServerAllowsAndTheClientAsks() {
    String asked = "/negotiate?negotiateVersion=1&useStatefulReconnect=true";
    HttpResult both = TestHubClient.post(url("/hubs/stateful" + asked), "");
    assertThat(both.body()).startsWith("{\"useStatefulReconnect\":true,\"negotiateVersion\":1,");
    HttpResult serverOnly =
        TestHubClient.post(url("/hubs/stateful/negotiate?negotiateVersion=1"), "");
    assertThat(serverOnly.body()).doesNotContain("useStatefulReconnect");
    HttpResult clientOnly = TestHubClient.post(url("/hubs/echo" + asked), "");
    assertThat(clientOnly.body()).doesNotContain("useStatefulReconnect");
  }

  @Test
  void availableTransportsFollowTheHubOptions() {
    NegotiateResponse wsOnly = TestHubClient.negotiate(url("/hubs/wsonly"));
    assertThat(wsOnly.availableTransports())
        .extracting(t -> t.transport())
        .containsExactly(HttpTransportType.WebSockets);
    NegotiateResponse noWs = TestHubClient.negotiate(url("/hubs/nows"));
    assertThat(noWs.availableTransports())
        .extracting(t -> t.transport())
        .containsExactly(HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling);
  }

  @Test
  void getOnNegotiateIs405() {
    assertThat(TestHubClient.get(url("/hubs/echo/negotiate?negotiateVersion=1")).code())
        .isEqualTo(405);
  }

  @Test
  void transportRequestsWithoutIdAre400ConnectionIdRequired() {
    HttpResult poll = TestHubClient.get(url("/hubs/echo"));
    assertThat(poll.code()).isEqualTo(400);
    assertThat(poll.body()).isEqualTo("Connection ID required");
    assertThat(poll.headers().get("Content-Type")).startsWith("text/plain");
    assertThat(TestHubClient.post(url("/hubs/echo"), "x").code()).isEqualTo(400);
    HttpResult delete =
        TestHubClient.call(new Request.Builder().url(url("/hubs/echo")).delete().build());
    assertThat(delete.code()).isEqualTo(400);
    assertThat(delete.body()).isEqualTo("Connection ID required");
  }

  @Test
  void unknownConnectionIdIs404() {
    HttpResult poll = TestHubClient.get(url("/hubs/echo?id=nosuchconnection"));
    assertThat(poll.code()).isEqualTo(404);
    assertThat(poll.body()).isEqualTo("No Connection with that ID");
    assertThat(TestHubClient.post(url("/hubs/echo?id=nosuchconnection"), "{}").code())
        .isEqualTo(404);
  }

  @Test
  void postOnAWebSocketConnectionIs405() {
    NegotiateResponse n = TestHubClient.negotiate(url("/hubs/echo"));
    try (TestHubClient ws =
        TestHubClient.open(
            TestHubClient.wsUrl(url("/hubs/echo")) + "?id=" + n.connectionToken(),
            new JsonHubProtocol())) {
      ws.handshake("json", 1);
      HttpResult r = TestHubClient.post(url("/hubs/echo?id=" + n.connectionToken()), "{}");
      assertThat(r.code()).isEqualTo(405);
      assertThat(r.body()).isEqualTo("POST requests are not allowed for WebSocket connections.");
      HttpResult d =
          TestHubClient.call(
              new Request.Builder()
                  .url(url("/hubs/echo?id=" + n.connectionToken()))
                  .delete()
                  .build());
      assertThat(d.code()).isEqualTo(400);
      assertThat(d.body()).isEqualTo("Cannot terminate this connection using the DELETE endpoint.");
    }
  }

  @Test
  void secondWebSocketOnALiveConnectionIs409() {
    NegotiateResponse n = TestHubClient.negotiate(url("/hubs/echo"));
    String ws = TestHubClient.wsUrl(url("/hubs/echo")) + "?id=" + n.connectionToken();
    try (TestHubClient first = TestHubClient.open(ws, new JsonHubProtocol())) {
      first.handshake("json", 1);
      assertThatThrownBy(() -> TestHubClient.open(ws, new JsonHubProtocol()))
          .hasStackTraceContaining("409");
      assertThat(first.invokeAndAwait("echo", "first still works").result())
          .isEqualTo("first still works");
    }
  }

  @Test
  void transportRequestsWithAnotherUsersTokenAreRefused() {
    HttpResult n =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo/negotiate?negotiateVersion=1"))
                .header("Authorization", "Bearer alice")
                .post(RequestBody.create(new byte[0]))
                .build());
    String token = NegotiateResponse.parse(n.body().getBytes()).connectionToken();
    HttpResult asBob =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo?id=" + token))
                .header("Authorization", "Bearer bob")
                .build());
    assertThat(asBob.code()).isEqualTo(403);
    assertThat(TestHubClient.get(url("/hubs/echo?id=" + token)).code())
        .as("anonymous")
        .isEqualTo(403);
  }

  @Test
  void putOnTheHubPathIs405() {
    NegotiateResponse n = TestHubClient.negotiate(url("/hubs/echo"));
    HttpResult r =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo?id=" + n.connectionToken()))
                .put(RequestBody.create(new byte[0]))
                .build());
    assertThat(r.code()).isEqualTo(405);
  }

  @Test
  void disabledTransportsAre404() {
    NegotiateResponse n = TestHubClient.negotiate(url("/hubs/wsonly"));
    HttpResult sse =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/wsonly?id=" + n.connectionToken()))
                .header("Accept", "text/event-stream")
                .build());
    assertThat(sse.code()).isEqualTo(404);
    assertThat(sse.body())
        .isEqualTo("ServerSentEvents transport not supported by this end point type");
    HttpResult poll = TestHubClient.get(url("/hubs/wsonly?id=" + n.connectionToken()));
    assertThat(poll.code()).isEqualTo(404);
    assertThat(poll.body()).isEqualTo("LongPolling transport not supported by this end point type");

    NegotiateResponse m = TestHubClient.negotiate(url("/hubs/nows"));
    assertThatThrownBy(
            () ->
                TestHubClient.open(
                    TestHubClient.wsUrl(url("/hubs/nows")) + "?id=" + m.connectionToken(),
                    new JsonHubProtocol()))
        .hasStackTraceContaining("404");
  }

  @Test
  void corsPreflightEchoesAnAllowedOriginWithCredentials() {
    HttpResult r =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo/negotiate?negotiateVersion=1"))
                .method("OPTIONS", null)
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "x-requested-with,x-signalr-user-agent")
                .build());
    assertThat(r.code()).isBetween(200, 204);
    assertThat(r.headers().get("Access-Control-Allow-Origin")).isEqualTo(ORIGIN);
    assertThat(r.headers().get("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(r.headers().get("Access-Control-Allow-Headers"))
        .isEqualTo("x-requested-with,x-signalr-user-agent");
    assertThat(r.headers().get("Access-Control-Allow-Methods")).contains("POST");

    HttpResult negotiate =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo/negotiate?negotiateVersion=1"))
                .header("Origin", ORIGIN)
                .post(RequestBody.create(new byte[0]))
                .build());
    assertThat(negotiate.headers().get("Access-Control-Allow-Origin")).isEqualTo(ORIGIN);
    assertThat(negotiate.headers().get("Access-Control-Allow-Credentials")).isEqualTo("true");
  }

  @Test
  void corsPreflightFromADisallowedOriginGetsNoCorsHeaders() {
    HttpResult r =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo/negotiate?negotiateVersion=1"))
                .method("OPTIONS", null)
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .build());
    assertThat(r.headers().get("Access-Control-Allow-Origin")).isNull();
    assertThat(r.headers().get("Access-Control-Allow-Credentials")).isNull();
    HttpResult negotiate =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo/negotiate?negotiateVersion=1"))
                .header("Origin", "https://evil.example")
                .post(RequestBody.create(new byte[0]))
                .build());
    assertThat(negotiate.headers().get("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void invalidCredentialsAre401() {
    HttpResult r =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/echo/negotiate?negotiateVersion=1"))
                .header("Authorization", "Bearer bad")
                .post(RequestBody.create(new byte[0]))
                .build());
    assertThat(r.code()).isEqualTo(401);
    assertThat(r.headers().get("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void anonymousRequestsToAHubRequiringAUserAre401() {
    assertThat(TestHubClient.post(url("/hubs/secure/negotiate?negotiateVersion=1"), "").code())
        .isEqualTo(401);
    assertThat(TestHubClient.get(url("/hubs/secure?id=whatever")).code()).isEqualTo(401);
    assertThatThrownBy(
            () ->
                TestHubClient.open(TestHubClient.wsUrl(url("/hubs/secure")), new JsonHubProtocol()))
        .hasStackTraceContaining("401");
  }

  @Test
  void accessTokenQueryParameterAuthenticatesAWebSocket() {
    HttpResult n =
        TestHubClient.call(
            new Request.Builder()
                .url(url("/hubs/secure/negotiate?negotiateVersion=1"))
                .header("Authorization", "Bearer alice")
                .post(RequestBody.create(new byte[0]))
                .build());
    assertThat(n.code()).isEqualTo(200);
    String token = NegotiateResponse.parse(n.body().getBytes()).connectionToken();
    try (TestHubClient c =
        TestHubClient.open(
            TestHubClient.wsUrl(url("/hubs/secure")) + "?id=" + token + "&access_token=alice",
            new JsonHubProtocol())) {
      c.handshake("json", 1);
      CompletionMessage who = c.invokeAndAwait("whoAmI");
      assertThat(who.result()).isEqualTo("alice");
    }
  }
}
