package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.TestHubClient.HttpResult;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.internal.connection.ConnectionTokens;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * Signed connection tokens: two instances sharing a key, one negotiates and the other serves the
 * WebSocket (adoption) or forwards SSE and long-polling requests to the first; a third instance
 * without the owner's URL answers the documented 404.
 */
class CrossInstanceTest {
  static final byte[] KEY = "a shared connection-token key, 32+ bytes".getBytes();
  static final String HANDSHAKE = "{\"protocol\":\"json\",\"version\":1}\u001e";
  static HubServer a;
  static HubServer b;
  static HubServer lone;
  static HubServer unsigned;

  public static class EchoHub extends Hub {
    public String echo(String s) {
      return s + " from " + context().connectionId();
    }
  }

  static HubServer.Builder instance(String name, boolean withUrl) {
    HubServer.Builder builder =
        HubServer.builder()
            .hub(
                "/hubs/echo",
                EchoHub::new,
                HubOptions.builder()
                    .longPollTimeout(Duration.ofMillis(800))
                    .allowStatefulReconnects(true)
                    .build())
            .hub("/hubs/other", EchoHub::new)
            .authenticator(new BearerTokenAuthenticator(t -> HubUser.of(t, t)))
            .connectionTokenKey(KEY)
            .instanceId(name);
    if (withUrl) {
      builder.instanceUrl("http://127.0.0.1:0");
    }
    return builder;
  }

  @BeforeAll
  static void start() {
    a = TestServers.start(instance("a", true));
    b = TestServers.start(instance("b", true));
    lone = TestServers.start(instance("lone", false));
    unsigned = TestServers.start(HubServer.builder().hub("/hubs/echo", EchoHub::new));
  }

  @AfterAll
  static void stop() {
    for (HubServer s : List.of(a, b, lone, unsigned)) {
      s.stop(Duration.ofSeconds(1));
    }
  }

  static String hub(HubServer s) {
    return TestServers.url(s, "/hubs/echo");
  }

  static NegotiateResponse negotiate(HubServer s, String user) {
    return negotiate(s, user, "");
  }

  /** Negotiate with {@code query} appended (e.g. {@code &useStatefulReconnect=true}). */
  static NegotiateResponse negotiate(HubServer s, String user, String query) {
    HttpResult r =
        TestHubClient.call(
            new Request.Builder()
                .url(hub(s) + "/negotiate?negotiateVersion=1" + query)
                .header("Authorization", "Bearer " + user)
                .post(RequestBody.create(new byte[0]))
                .build());
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.headers().get(HubServer.INSTANCE_HEADER)).isIn("a", "b", "lone");
    return NegotiateResponse.parse(r.body().getBytes(StandardCharsets.UTF_8));
  }

  /** A WebSocket upgrade request to {@code url}, to see the status it is answered with. */
  static Request.Builder upgrade(String url) {
    return new Request.Builder()
        .url(url)
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  }

  static HttpResult call(String method, String url, String user, String body) {
    Request.Builder r = new Request.Builder().url(url).header("Authorization", "Bearer " + user);
    if (method.equals("GET")) {
      r.get();
    } else {
      r.method(method, RequestBody.create(body.getBytes(StandardCharsets.UTF_8)));
    }
    return TestHubClient.call(r.build());
  }

  @Test
  void aWebSocketNegotiatedOnOneInstanceConnectsOnAnother() {
    NegotiateResponse n = negotiate(a, "alice");
    assertThat(n.connectionToken()).contains(".");
    try (TestHubClient c =
        TestHubClient.open(
            TestHubClient.wsUrl(hub(b)) + "?id=" + n.connectionToken() + "&access_token=alice",
            new JsonHubProtocol())) {
      c.handshake("json", 1);
      CompletionMessage done = c.invokeAndAwait("echo", "hi");
      assertThat(done.result()).isEqualTo("hi from " + n.connectionId());
      assertThat(b.connectionCount()).isEqualTo(1);
    }
  }

  @Test
  void anAdoptedTokenIsRefusedForAnotherUserAndForASecondWebSocket() {
    NegotiateResponse n = negotiate(a, "alice");
    String ws = TestHubClient.wsUrl(hub(b)) + "?id=" + n.connectionToken();
    Request asBob =
        upgrade(hub(b) + "?id=" + n.connectionToken())
            .header("Authorization", "Bearer bob")
            .build();
    assertThat(TestHubClient.call(asBob).code()).isEqualTo(403);
    try (TestHubClient first =
        TestHubClient.open(ws + "&access_token=alice", new JsonHubProtocol())) {
      first.handshake("json", 1);
      Request again =
          asBob.newBuilder().header("Authorization", "Bearer alice").build(); // same token again
      assertThat(TestHubClient.call(again).code()).isEqualTo(409);
    }
  }

  /**
   * A stateful reconnect that a balancer without affinity sends to an instance which never saw the
   * connection: that instance would adopt the token and wait for a handshake the resuming client
   * does not send. It drops the socket at the client's first message instead, without a handshake
   * answer (which the client would read as a message without a type), and refuses the token from
   * then on (404); the owner still resumes the connection. JSON and MessagePack resumes.
   */
  @Test
  void aStatefulResumeReachingAnInstanceThatNeverSawTheConnectionIsDroppedUnanswered() {
    for (HubProtocol protocol : List.of(new JsonHubProtocol(), new MessagePackHubProtocol())) {
      NegotiateResponse n = negotiate(a, "alice", "&useStatefulReconnect=true");
      assertThat(n.useStatefulReconnect()).isTrue();
      String query = "?id=" + n.connectionToken() + "&access_token=alice";
      try (TestHubClient owner =
          TestHubClient.open(TestHubClient.wsUrl(hub(a)) + query, protocol)) {
        owner.handshake(protocol.name(), 2);
        assertThat(owner.invokeAndAwait("echo", "before").result())
            .isEqualTo("before from " + n.connectionId());
        owner.cancel(); // a network loss: A keeps the connection for a resume
        try (TestHubClient elsewhere =
            TestHubClient.resume(TestHubClient.wsUrl(hub(b)) + query, protocol)) {
          elsewhere.send(new SequenceMessage(1));
          assertThat(elsewhere.awaitSocketClosed()).as(protocol.name()).isEqualTo(-1);
          assertThat(elsewhere.frames()).as("nothing answered on B").isEmpty();
        }
        assertThat(TestHubClient.call(upgrade(hub(b) + query).build()).code())
            .as("adopted once: B refuses the token now")
            .isEqualTo(404);
        try (TestHubClient resumed =
            TestHubClient.resume(TestHubClient.wsUrl(hub(a)) + query, protocol)) {
          resumed.send(new SequenceMessage(2)); // the invocation "before" was the first
          // Never acknowledged, so replayed: the completion of "before" (invocation "1").
          assertThat(resumed.awaitCompletion(resumed.nextId()).result())
              .isEqualTo("before from " + n.connectionId());
          assertThat(resumed.invokeAndAwait("echo", "after").result())
              .isEqualTo("after from " + n.connectionId());
        }
      }
    }
  }

  @Test
  void aTokenOfAnotherHubOrKeyIsNotAdopted() {
    NegotiateResponse n = negotiate(a, "alice");
    HttpResult other =
        call("GET", TestServers.url(b, "/hubs/other") + "?id=" + n.connectionToken(), "alice", "");
    assertThat(other.code()).isEqualTo(404);
    HttpResult noKey = call("GET", hub(unsigned) + "?id=" + n.connectionToken(), "alice", "");
    assertThat(noKey.code()).isEqualTo(404);
    String tampered = n.connectionToken().substring(0, n.connectionToken().length() - 2) + "AA";
    assertThat(call("GET", hub(b) + "?id=" + tampered, "alice", "").code()).isEqualTo(404);
  }

  @Test
  void longPollingRequestsAreForwardedToTheOwner() {
    NegotiateResponse n = negotiate(a, "alice");
    String onB = hub(b) + "?id=" + n.connectionToken();
    String onA = hub(a) + "?id=" + n.connectionToken();
    HttpResult first = call("GET", onB, "alice", "");
    assertThat(first.code()).isEqualTo(200);
    assertThat(first.headers().get(HubServer.INSTANCE_HEADER)).isEqualTo("a");
    assertThat(first.headers().get("X-Chat-Forwarded-By")).isEqualTo("b");
    assertThat(call("POST", onB, "alice", HANDSHAKE).code()).isEqualTo(200);
    assertThat(call("GET", onA, "alice", "").body()).isEqualTo("{}\u001e");
    String invocation =
        "{\"type\":1,\"invocationId\":\"1\",\"target\":\"echo\",\"arguments\":[\"x\"]}\u001e";
    assertThat(call("POST", onA, "alice", invocation).code()).isEqualTo(200);
    HttpResult poll = call("GET", onB, "alice", "");
    assertThat(poll.code()).isEqualTo(200);
    assertThat(poll.body()).contains("x from " + n.connectionId());
    assertThat(call("GET", onB, "bob", "").code()).as("another user").isEqualTo(403);
    assertThat(call("DELETE", onB, "alice", "").code()).isEqualTo(202);
    HttpResult gone = call("GET", onB, "alice", "");
    assertThat(gone.code()).isEqualTo(404);
    assertThat(gone.body()).isEqualTo("No Connection with that ID");
    assertThat(gone.headers().get("X-Chat-Forwarded-By")).isEqualTo("b");
  }

  @Test
  void anSseStreamIsForwardedAsItIsWritten() throws Exception {
    NegotiateResponse n = negotiate(a, "alice");
    String onB = hub(b) + "?id=" + n.connectionToken();
    Request sse =
        new Request.Builder()
            .url(onB)
            .header("Authorization", "Bearer alice")
            .header("Accept", "text/event-stream")
            .build();
    try (Response r = TestHubClient.HTTP.newCall(sse).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("text/event-stream");
      assertThat(r.header(HubServer.INSTANCE_HEADER)).isEqualTo("a");
      BufferedSource body = r.body().source();
      assertThat(body.readUtf8Line()).isEqualTo(":");
      assertThat(call("POST", onB, "alice", HANDSHAKE).code()).isEqualTo(200);
      CompletableFuture<String> lines =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  StringBuilder sb = new StringBuilder();
                  String line;
                  while ((line = body.readUtf8Line()) != null) {
                    sb.append(line).append('\n');
                    if (sb.toString().contains("y from")) {
                      return sb.toString();
                    }
                  }
                  return sb.toString();
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      String invocation =
          "{\"type\":1,\"invocationId\":\"1\",\"target\":\"echo\",\"arguments\":[\"y\"]}\u001e";
      assertThat(call("POST", onB, "alice", invocation).code()).isEqualTo(200);
      assertThat(lines.get(10, TimeUnit.SECONDS)).contains("data: {}").contains("y from");
    }
  }

  @Test
  void withoutTheOwnersUrlSseAndLongPollingGetTheAffinity404() {
    NegotiateResponse n = negotiate(lone, "alice");
    HttpResult poll = call("GET", hub(a) + "?id=" + n.connectionToken(), "alice", "");
    assertThat(poll.code()).isEqualTo(404);
    assertThat(poll.body())
        .isEqualTo(
            "Connection not found on this instance (SSE and long polling need session affinity)");
  }

  @Test
  void unsignedTokensStayRandomAndLocal() {
    HttpResult r = TestHubClient.post(hub(unsigned) + "/negotiate?negotiateVersion=1", "");
    NegotiateResponse n = NegotiateResponse.parse(r.body().getBytes(StandardCharsets.UTF_8));
    assertThat(n.connectionToken()).matches("[A-Za-z0-9_-]{22}");
    assertThat(r.headers().get(HubServer.INSTANCE_HEADER)).isNull();
  }

  @Test
  void adoptionEndsWithTheDisconnectTimeoutWindow() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    ConnectionTokens issuer = ConnectionTokens.signed(KEY, null, Clock.fixed(t0, ZoneOffset.UTC));
    String token = issuer.issue("/hubs/echo", "id1", "alice", true, 15_000);
    ConnectionTokens inTime =
        ConnectionTokens.signed(KEY, null, Clock.fixed(t0.plusSeconds(15), ZoneOffset.UTC));
    ConnectionTokens.Claims claims = inTime.verify("/hubs/echo", token);
    assertThat(claims.connectionId()).isEqualTo("id1");
    assertThat(claims.userId()).isEqualTo("alice");
    assertThat(claims.stateful()).isTrue();
    assertThat(claims.issuedHere()).isFalse();
    assertThat(issuer.verify("/hubs/echo", token).issuedHere()).isTrue();
    assertThat(inTime.adoptable(token, claims)).isTrue();
    assertThat(inTime.adoptable(token, claims)).as("once per instance").isFalse();
    ConnectionTokens late =
        ConnectionTokens.signed(KEY, null, Clock.fixed(t0.plusSeconds(16), ZoneOffset.UTC));
    assertThat(late.adoptable(token, late.verify("/hubs/echo", token))).isFalse();
    assertThat(inTime.verify("/hubs/other", token)).isNull();
    assertThat(
            ConnectionTokens.signed(
                "another key, also long enough".getBytes(), null, Clock.systemUTC()))
        .satisfies(other -> assertThat(other.verify("/hubs/echo", token)).isNull());
  }
}
