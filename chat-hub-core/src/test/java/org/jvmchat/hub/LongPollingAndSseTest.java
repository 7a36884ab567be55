package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.TestHubClient.HttpResult;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/** Long polling and Server-Sent Events at the HTTP level (SIGNALR.md §1.5 to §1.8). */
class LongPollingAndSseTest {
  static HubServer server;
  static ExecutorService pollers;
  static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  static final String HANDSHAKE = "{\"protocol\":\"json\",\"version\":1}\u001e";

  public static class PollHub extends Hub {
    public String echo(String s) {
      return s;
    }

    @Override
    public void onConnected() {
      events.add("connected:" + context().connectionId() + ":" + context().transport());
    }

    @Override
    public void onDisconnected(Throwable error) {
      events.add("disconnected:" + context().connectionId());
    }
  }

  @BeforeAll
  static void start() {
    pollers = Executors.newCachedThreadPool();
    server =
        TestServers.start(
            HubServer.builder()
                .hub(
                    "/hubs/poll",
                    PollHub::new,
                    HubOptions.builder()
                        .longPollTimeout(Duration.ofMillis(700))
                        .disconnectTimeout(Duration.ofMillis(1500))
                        .build())
                .hub(
                    "/hubs/bulk",
                    PollHub::new,
                    HubOptions.builder().outboundBufferLimit(64 * 1024 * 1024).build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
    pollers.shutdownNow();
  }

  static String hub() {
    return TestServers.url(server, "/hubs/poll");
  }

  static String invocation(String id, String arg) {
    return "{\"type\":1,\"invocationId\":\""
        + id
        + "\",\"target\":\"echo\",\"arguments\":[\""
        + arg
        + "\"]}\u001e";
  }

  static CompletableFuture<HttpResult> pollAsync(String token) {
    return CompletableFuture.supplyAsync(() -> TestHubClient.get(hub() + "?id=" + token), pollers);
  }

  static HttpResult result(CompletableFuture<HttpResult> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  /** Negotiates, makes the first poll and completes the handshake; returns the token. */
  static NegotiateResponse connectLongPolling() {
    NegotiateResponse n = TestHubClient.negotiate(hub());
    assertThat(TestHubClient.get(hub() + "?id=" + n.connectionToken()).code()).isEqualTo(200);
    assertThat(TestHubClient.post(hub() + "?id=" + n.connectionToken(), HANDSHAKE).code())
        .isEqualTo(200);
    assertThat(TestHubClient.get(hub() + "?id=" + n.connectionToken()).body())
        .isEqualTo("{}\u001e");
    return n;
  }

  @Test
  void firstPollReturnsAtOnceEmpty() {
    NegotiateResponse n = TestHubClient.negotiate(hub());
    HttpResult first = TestHubClient.get(hub() + "?id=" + n.connectionToken() + "&_=1");
    assertThat(first.code()).isEqualTo(200);
    assertThat(first.body()).isEmpty();
    assertThat(first.headers().get("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(first.headers().get("Content-Length")).isEqualTo("0");
  }

  @Test
  void postedHandshakeAndInvocationAreAnsweredByLaterPolls() {
    NegotiateResponse n = connectLongPolling();
    String token = n.connectionToken();
    HttpResult post = TestHubClient.post(hub() + "?id=" + token, invocation("1", "polled"));
    assertThat(post.code()).isEqualTo(200);
    HttpResult poll = TestHubClient.get(hub() + "?id=" + token);
    assertThat(poll.code()).isEqualTo(200);
    assertThat(poll.headers().get("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(poll.headers().get("Cache-Control")).isEqualTo("no-cache, no-store");
    assertThat(poll.body())
        .isEqualTo("{\"type\":3,\"invocationId\":\"1\",\"result\":\"polled\"}\u001e");
    assertThat(events).contains("connected:" + n.connectionId() + ":LongPolling");
  }

  @Test
  void severalMessagesInOnePostAreAllProcessed() {
    String token = connectLongPolling().connectionToken();
    TestHubClient.post(hub() + "?id=" + token, invocation("1", "a") + invocation("2", "b"));
    StringBuilder all = new StringBuilder();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              all.append(TestHubClient.get(hub() + "?id=" + token).body());
              return all.toString().contains("\"invocationId\":\"2\"");
            });
    assertThat(all.toString())
        .isEqualTo(
            "{\"type\":3,\"invocationId\":\"1\",\"result\":\"a\"}\u001e"
                + "{\"type\":3,\"invocationId\":\"2\",\"result\":\"b\"}\u001e");
  }

  @Test
  void pollTimeoutAnswers200Empty() {
    String token = connectLongPolling().connectionToken();
    long start = System.nanoTime();
    HttpResult poll = TestHubClient.get(hub() + "?id=" + token);
    assertThat(poll.code()).isEqualTo(200);
    assertThat(poll.body()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aNewerPollEndsThePendingOneWith204() throws Exception {
    String token = connectLongPolling().connectionToken();
    CompletableFuture<HttpResult> first = pollAsync(token);
    CompletableFuture<HttpResult> second = pollAsync(token);
    // Whichever reached the server first is replaced by the other and ends with 204 at once.
    CompletableFuture<Object> any = CompletableFuture.anyOf(first, second);
    HttpResult replaced = (HttpResult) any.get(10, TimeUnit.SECONDS);
    assertThat(replaced.code()).isEqualTo(204);
    TestHubClient.post(hub() + "?id=" + token, invocation("9", "to the newer poll"));
    HttpResult newer = result(first.isDone() && first.join() == replaced ? second : first);
    assertThat(newer.code()).isEqualTo(200);
    assertThat(newer.body()).contains("to the newer poll");
  }

  @Test
  void deleteAnswers202EndsThePendingPollAndForgetsTheConnection() throws Exception {
    NegotiateResponse n = connectLongPolling();
    String token = n.connectionToken();
    CompletableFuture<HttpResult> pending = pollAsync(token);
    // The poll must be held by the server before the DELETE; a held poll outlives this wait.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> !pending.isDone());
    HttpResult delete =
        TestHubClient.call(new Request.Builder().url(hub() + "?id=" + token).delete().build());
    assertThat(delete.code()).isEqualTo(202);
    assertThat(result(pending).code()).isEqualTo(204);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.contains("disconnected:" + n.connectionId()));
    assertThat(TestHubClient.get(hub() + "?id=" + token).code()).isEqualTo(404);
    assertThat(TestHubClient.post(hub() + "?id=" + token, invocation("1", "x")).code())
        .isEqualTo(404);
  }

  @Test
  void clientThatStopsPollingIsRemovedAfterTheDisconnectTimeout() {
    NegotiateResponse n = connectLongPolling();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.contains("disconnected:" + n.connectionId()));
    assertThat(TestHubClient.get(hub() + "?id=" + n.connectionToken()).code()).isEqualTo(404);
  }

  @Test
  void aClosedConnectionEndsTheNextPollWith204ThenIsGone() {
    NegotiateResponse n = connectLongPolling();
    String token = n.connectionToken();
    TestHubClient.post(hub() + "?id=" + token, "{\"type\":7}\u001e");
    HttpResult last = TestHubClient.get(hub() + "?id=" + token);
    assertThat(last.code()).isEqualTo(200);
    assertThat(last.body()).isEqualTo("{\"type\":7}\u001e");
    assertThat(TestHubClient.get(hub() + "?id=" + token).code()).isEqualTo(204);
    assertThat(TestHubClient.get(hub() + "?id=" + token).code()).isEqualTo(404);
  }

  // ---------------------------------------------------------------- Server-Sent Events

  /** Reads an SSE response on a background thread. */
  static final class SseStream implements AutoCloseable {
    final okhttp3.Call call;
    final Response response;
    final StringBuffer text = new StringBuffer();
    final CompletableFuture<Void> ended = new CompletableFuture<>();

    SseStream(String url) throws IOException {
      call =
          TestHubClient.HTTP.newCall(
              new Request.Builder().url(url).header("Accept", "text/event-stream").build());
      response = call.execute();
      pollers.execute(
          () -> {
            BufferedSource source = response.body().source();
            Buffer buffer = new Buffer();
            try {
              while (source.read(buffer, 8192) != -1) {
                text.append(buffer.readString(StandardCharsets.UTF_8));
              }
              ended.complete(null);
            } catch (IOException e) {
              ended.complete(null);
            } finally {
              response.close();
            }
          });
    }

    void awaitText(String expected) {
      await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().contains(expected));
    }

    @Override
    public void close() {
      call.cancel(); // the reading thread then closes the response
    }
  }

  @Test
  void sseSendsHeadersACommentFirstThenDataEvents() throws Exception {
    NegotiateResponse n = TestHubClient.negotiate(hub());
    String token = n.connectionToken();
    try (SseStream sse = new SseStream(hub() + "?id=" + token)) {
      assertThat(sse.response.code()).isEqualTo(200);
      assertThat(sse.response.header("Content-Type")).isEqualTo("text/event-stream");
      assertThat(sse.response.header("Cache-Control")).isEqualTo("no-cache,no-store");
      assertThat(sse.response.header("Pragma")).isEqualTo("no-cache");
      assertThat(sse.response.header("Content-Encoding")).isEqualTo("identity");
      sse.awaitText(":\r\n");
      assertThat(sse.text.toString()).startsWith(":\r\n");

      assertThat(TestHubClient.post(hub() + "?id=" + token, HANDSHAKE).code()).isEqualTo(200);
      sse.awaitText("data: {}\u001e\r\n\r\n");
      TestHubClient.post(hub() + "?id=" + token, invocation("1", "streamed"));
      sse.awaitText("{\"type\":3");
      assertThat(sse.text.toString())
          .isEqualTo(
              ":\r\n"
                  + "data: {}\u001e\r\n\r\n"
                  + "data: {\"type\":3,\"invocationId\":\"1\",\"result\":\"streamed\"}\u001e\r\n\r\n");
      assertThat(events).contains("connected:" + n.connectionId() + ":ServerSentEvents");
    }
  }

  @Test
  void messagePackOverSseIsRefusedAndTheStreamEnds() throws Exception {
    String token = TestHubClient.negotiate(hub()).connectionToken();
    try (SseStream sse = new SseStream(hub() + "?id=" + token)) {
      sse.awaitText(":\r\n");
      TestHubClient.post(
          hub() + "?id=" + token, "{\"protocol\":\"messagepack\",\"version\":1}\u001e");
      sse.awaitText("\r\n\r\n");
      assertThat(sse.text.toString())
          .isEqualTo(
              ":\r\ndata: {\"error\":\"Cannot use the 'messagepack' protocol on the current"
                  + " transport. The transport does not support 'Binary' transfer format.\"}"
                  + "\u001e\r\n\r\n");
      sse.ended.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void secondSseRequestForTheSameConnectionIs409() throws Exception {
    String token = TestHubClient.negotiate(hub()).connectionToken();
    try (SseStream sse = new SseStream(hub() + "?id=" + token)) {
      sse.awaitText(":\r\n");
      HttpResult second =
          TestHubClient.call(
              new Request.Builder()
                  .url(hub() + "?id=" + token)
                  .header("Accept", "text/event-stream")
                  .build());
      assertThat(second.code()).isEqualTo(409);
      assertThat(TestHubClient.get(hub() + "?id=" + token).code())
          .as("a poll on an SSE connection")
          .isEqualTo(400);
    }
  }

  @Test
  void messagePackOverLongPollingUsesBinaryBodies() throws Exception {
    NegotiateResponse n = TestHubClient.negotiate(hub());
    String token = n.connectionToken();
    assertThat(TestHubClient.get(hub() + "?id=" + token).code()).isEqualTo(200);
    TestHubClient.post(
        hub() + "?id=" + token, "{\"protocol\":\"messagepack\",\"version\":1}\u001e");
    assertThat(TestHubClient.get(hub() + "?id=" + token).body()).isEqualTo("{}\u001e");
    var protocol = new org.jvmchat.protocol.msgpack.MessagePackHubProtocol();
    byte[] invocation =
        protocol.toBytes(org.jvmchat.protocol.InvocationMessage.invoke("1", "echo", "packed"));
    try (Response post =
        TestHubClient.HTTP
            .newCall(
                new Request.Builder()
                    .url(hub() + "?id=" + token)
                    .post(
                        okhttp3.RequestBody.create(
                            invocation, okhttp3.MediaType.get("application/octet-stream")))
                    .build())
            .execute()) {
      assertThat(post.code()).isEqualTo(200);
    }
    byte[] body;
    try (Response poll =
        TestHubClient.HTTP
            .newCall(new Request.Builder().url(hub() + "?id=" + token).build())
            .execute()) {
      body = poll.body().bytes();
    }
    var reader =
        new org.jvmchat.protocol.HubMessageReader(
            protocol, org.jvmchat.protocol.InvocationBinder.GENERIC, 0);
    List<Object> messages = new java.util.ArrayList<>();
    reader.feed(body, messages::add);
    assertThat(messages)
        .containsExactly(org.jvmchat.protocol.CompletionMessage.withResult("1", "packed"));
  }

  @Test
  void sseResumesWritingWhenASlowReaderCatchesUp() throws Exception {
    String bulk = TestServers.url(server, "/hubs/bulk");
    NegotiateResponse n = TestHubClient.negotiate(bulk);
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 5000);
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /hubs/bulk?id="
                      + n.connectionToken()
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // The SSE request is registered once a POST to the connection is accepted.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  TestHubClient.post(bulk + "?id=" + n.connectionToken(), HANDSHAKE).code() == 200);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> events.contains("connected:" + n.connectionId() + ":ServerSentEvents"));
      // Far more than the socket buffers hold while nobody reads: the channel becomes unwritable.
      int count = 2000;
      String payload = "q".repeat(4096);
      HubClients clients = server.hubContext("/hubs/bulk").clients();
      for (int i = 0; i < count; i++) {
        clients.client(n.connectionId()).send("big", i, payload).join();
      }
      // Now read: everything must arrive without the server sending anything else.
      java.io.InputStream in = socket.getInputStream();
      byte[] buf = new byte[65536];
      StringBuilder tail = new StringBuilder();
      String last = "\"arguments\":[" + (count - 1) + ",";
      while (true) {
        int r = in.read(buf);
        assertThat(r).as("the stream ended early").isPositive();
        tail.append(new String(buf, 0, r, StandardCharsets.ISO_8859_1));
        if (tail.indexOf(last) >= 0) {
          break;
        }
        if (tail.length() > 2 * last.length() + 8192) {
          tail.delete(0, tail.length() - last.length() - 8192);
        }
      }
    }
  }

  @Test
  void gracefulStopAnswersAPendingPollWithCloseAllowingReconnect() throws Exception {
    HubServer own = TestServers.start(HubServer.builder().hub("/hubs/own", PollHub::new));
    try {
      String url = TestServers.url(own, "/hubs/own");
      NegotiateResponse n = TestHubClient.negotiate(url);
      String token = n.connectionToken();
      assertThat(TestHubClient.get(url + "?id=" + token).code()).isEqualTo(200);
      TestHubClient.post(url + "?id=" + token, HANDSHAKE);
      assertThat(TestHubClient.get(url + "?id=" + token).body()).isEqualTo("{}\u001e");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> events.contains("connected:" + n.connectionId() + ":LongPolling"));
      CompletableFuture<HttpResult> pending =
          CompletableFuture.supplyAsync(() -> TestHubClient.get(url + "?id=" + token), pollers);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(1))
          .until(() -> !pending.isDone());
      own.stop(Duration.ofSeconds(2));
      HttpResult last = result(pending);
      assertThat(last.code()).isEqualTo(200);
      assertThat(last.body()).isEqualTo("{\"type\":7,\"allowReconnect\":true}\u001e");
    } finally {
      own.stop(Duration.ZERO);
    }
  }

  @Test
  void everyPollResponseHoldsOnlyWholeMessages() {
    String token = connectLongPolling().connectionToken();
    StringBuilder posted = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      posted.append(invocation(Integer.toString(i), "m" + i));
    }
    TestHubClient.post(hub() + "?id=" + token, posted.toString());
    List<String> bodies = new java.util.ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              bodies.add(TestHubClient.get(hub() + "?id=" + token).body());
              return String.join("", bodies).contains("\"invocationId\":\"49\"");
            });
    for (String body : bodies) {
      assertThat(body.isEmpty() || body.endsWith("\u001e")).as(body).isTrue();
    }
  }
}
