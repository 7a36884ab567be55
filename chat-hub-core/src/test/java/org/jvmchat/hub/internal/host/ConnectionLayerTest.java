package org.jvmchat.hub.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.concurrent.DefaultEventExecutorGroup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.jvmchat.hub.internal.hub.HubRuntime;
import org.jvmchat.hub.internal.hub.ServerConnection;

/**
 * The host seam without a host: {@link ConnectionLayer} and its transports driven through fake
 * {@link HostRequest}s, {@link HostResponse}s and {@link HostWebSocket}s, as a Servlet container
 * (or any other host) drives them.
 */
class ConnectionLayerTest {
  static final String HANDSHAKE = "{\"protocol\":\"json\",\"version\":1}\u001e";
  static final String HANDSHAKE_OK = "{}\u001e";

  /** The hub of these tests. */
  public static class TestHub extends Hub {
    public String echo(String text) {
      return text;
    }

    /** Subscribes to the client's stream and never requests an item: the stream's buffer fills. */
    public CompletableFuture<Void> hold(Flow.Publisher<String> items) {
      items.subscribe(
          new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {}

            @Override
            public void onNext(String item) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {}
          });
      return new CompletableFuture<>();
    }
  }

  DefaultEventExecutorGroup loops;
  HubRuntime runtime;
  ConnectionLayer layer;
  HubEndpoint hub;
  HubEndpoint secure;

  @BeforeEach
  void start() {
    loops = new DefaultEventExecutorGroup(2);
    runtime =
        new HubRuntime(
            new HubRuntime.Config(
                List.of(
                    HubMapping.builder("/hubs/test", TestHub::new)
                        .options(
                            HubOptions.builder()
                                .streamBufferCapacity(1)
                                .longPollTimeout(Duration.ofSeconds(30))
                                .build())
                        .build(),
                    HubMapping.builder("/hubs/secure", TestHub::new)
                        .requireAuthenticatedUser(true)
                        .admission(
                            (path, request) ->
                                "full".equals(request.user().id())
                                    ? HttpResponse.problem(429, "Too many", "Try later")
                                        .withHeader("Retry-After", "5")
                                    : null)
                        .build()),
                List.of(),
                null,
                null,
                4,
                100,
                List.of(),
                null,
                null,
                null));
    runtime.start();
    layer = new ConnectionLayer(loops);
    hub = runtime.endpoint("/hubs/test");
    secure = runtime.endpoint("/hubs/secure");
  }

  @AfterEach
  void stop() {
    runtime.stop(System.nanoTime());
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  // ------------------------------------------------------------------ negotiate and status codes

  @Test
  void negotiateCreatesAConnectionAndOnlyAnswersPost() {
    FakeResponse r = new FakeResponse();
    layer.negotiate(hub, FakeRequest.of("POST", "negotiateVersion", "1"), null, r);
    Answer a = r.answer();
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("application/json");
    assertThat(a.text()).contains("\"negotiateVersion\":1").contains("\"connectionToken\":\"");
    assertThat(hub.connections()).hasSize(1);

    FakeResponse get = new FakeResponse();
    layer.negotiate(hub, FakeRequest.of("GET"), null, get);
    assertThat(get.answer().status()).isEqualTo(405);
  }

  @Test
  void statusCodesOfAConnectionRequest() {
    assertThat(answer("GET", "id", "nope").status()).isEqualTo(404);
    assertThat(answer("POST").status()).isEqualTo(400);
    assertThat(answer("PUT", "id", "x").status()).isEqualTo(405);
    String token = negotiate();
    // Sending before any transport started.
    assertThat(answer("POST", "id", token).text()).startsWith("The connection has no transport");
    // An SSE stream, then a long poll on the same connection: 400.
    FakeResponse sse = new FakeResponse();
    layer.connection(
        hub,
        FakeRequest.of("GET", "id", token).header("Accept", "text/event-stream"),
        null,
        null,
        sse);
    assertThat(sse.stream).isNotNull();
    assertThat(answer("GET", "id", token).status()).isEqualTo(400);
    // A second SSE stream: 409.
    FakeResponse again = new FakeResponse();
    layer.connection(
        hub,
        FakeRequest.of("GET", "id", token).header("Accept", "text/event-stream"),
        null,
        null,
        again);
    assertThat(again.answer().status()).isEqualTo(409);
    // A WebSocket for it: 400 (another transport).
    FakeResponse ws = new FakeResponse();
    assertThat(layer.acceptWebSocket(hub, FakeRequest.of("GET", "id", token), null, ws)).isNull();
    assertThat(ws.answer().status()).isEqualTo(400);
  }

  @Test
  void admissionAndRequiredUsers() {
    FakeResponse anonymous = new FakeResponse();
    assertThat(layer.admit(secure, FakeRequest.of("POST"), null, true, anonymous)).isFalse();
    assertThat(anonymous.answer().status()).isEqualTo(401);
    assertThat(anonymous.answer().headers()).containsExactly("WWW-Authenticate", "Bearer");

    FakeResponse refused = new FakeResponse();
    assertThat(layer.admit(secure, FakeRequest.of("POST"), HubUser.of("full", "f"), true, refused))
        .isFalse();
    assertThat(refused.answer().status()).isEqualTo(429);
    assertThat(refused.answer().headers()).containsSequence("retry-after", "5");
    assertThat(refused.answer().contentType()).isEqualTo("application/problem+json");

    assertThat(
            layer.admit(
                secure, FakeRequest.of("POST"), HubUser.of("ann", "a"), true, new FakeResponse()))
        .isTrue();
    // Admission is asked only for requests that open a connection.
    assertThat(
            layer.admit(
                secure, FakeRequest.of("GET"), HubUser.of("full", "f"), false, new FakeResponse()))
        .isTrue();
  }

  // ------------------------------------------------------------------ WebSockets

  @Test
  void webSocketHasOneSendInFlightAndCoalescesWhatQueuesMeanwhile() {
    FakeSocket socket = new FakeSocket();
    ConnectionLayer.WebSocketAccept accept =
        layer.acceptWebSocket(hub, FakeRequest.of("GET"), null, new FakeResponse());
    HostWebSocket.Listener listener = accept.open(socket);
    listener.onMessage(utf8(HANDSHAKE), () -> {});
    await().until(() -> socket.sent.size() == 1);
    assertThat(socket.sent.get(0).text()).isEqualTo(HANDSHAKE_OK);
    assertThat(socket.sent.get(0).binary()).isFalse();

    // The handshake answer is still in flight: both completions wait, then go in one message.
    listener.onMessage(utf8(invocation("1", "echo", "a") + invocation("2", "echo", "b")), () -> {});
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    assertThat(socket.sent).hasSize(1);
    socket.complete(0);
    await().until(() -> socket.sent.size() == 2);
    assertThat(socket.sent.get(1).text()).isEqualTo(completion("1", "a") + completion("2", "b"));
    socket.complete(1);
  }

  @Test
  void aClosedConnectionSendsItsCloseMessageAfterTheSendInFlightThenClosesTheSocket() {
    FakeSocket socket = new FakeSocket();
    ConnectionLayer.WebSocketAccept accept =
        layer.acceptWebSocket(hub, FakeRequest.of("GET"), null, new FakeResponse());
    HostWebSocket.Listener listener = accept.open(socket);
    listener.onMessage(utf8(HANDSHAKE), () -> {});
    await().until(() -> socket.sent.size() == 1);
    ServerConnection c = hub.connections().iterator().next();
    c.close(null, true);
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    assertThat(socket.closedWith).isNull(); // the handshake answer is still in flight
    socket.complete(0);
    await().until(() -> socket.sent.size() == 2);
    assertThat(socket.sent.get(1).text()).isEqualTo("{\"type\":7,\"allowReconnect\":true}\u001e");
    assertThat(socket.closedWith).isNull();
    socket.complete(1);
    await().until(() -> Integer.valueOf(1000).equals(socket.closedWith));
    listener.onClose(true, null);
    await().until(() -> hub.connections().isEmpty());
  }

  @Test
  void aFullUploadStreamPausesReadingTheSocket() {
    FakeSocket socket = new FakeSocket();
    socket.autoComplete = true;
    HostWebSocket.Listener listener =
        layer.acceptWebSocket(hub, FakeRequest.of("GET"), null, new FakeResponse()).open(socket);
    listener.onMessage(utf8(HANDSHAKE), () -> {});
    listener.onMessage(
        utf8(
            "{\"type\":1,\"invocationId\":\"1\",\"target\":\"hold\",\"arguments\":[],"
                + "\"streamIds\":[\"s\"]}\u001e"),
        () -> {});
    for (int i = 0; i < 3; i++) {
      listener.onMessage(
          utf8("{\"type\":2,\"invocationId\":\"s\",\"item\":\"x" + i + "\"}\u001e"), () -> {});
    }
    await().until(() -> socket.paused);
  }

  @Test
  void aDroppedSocketOfAStatefulConnectionWaitsForTheReconnect() {
    // Negotiated with stateful reconnect on a hub that allows it.
    HubRuntime statefulRuntime =
        new HubRuntime(
            new HubRuntime.Config(
                List.of(
                    HubMapping.builder("/hubs/s", TestHub::new)
                        .options(HubOptions.builder().allowStatefulReconnects(true).build())
                        .build()),
                List.of(),
                null,
                null,
                4,
                100,
                List.of(),
                null,
                null,
                null));
    try {
      HubEndpoint s = statefulRuntime.endpoint("/hubs/s");
      FakeResponse n = new FakeResponse();
      layer.negotiate(
          s,
          FakeRequest.of("POST", "negotiateVersion", "1", "useStatefulReconnect", "true"),
          null,
          n);
      String token = n.answer().text().replaceAll(".*\"connectionToken\":\"([^\"]+)\".*", "$1");
      FakeSocket first = new FakeSocket();
      first.autoComplete = true;
      HostWebSocket.Listener l1 =
          layer
              .acceptWebSocket(s, FakeRequest.of("GET", "id", token), null, new FakeResponse())
              .open(first);
      l1.onMessage(utf8("{\"protocol\":\"json\",\"version\":2}\u001e"), () -> {});
      await().until(() -> first.sent.size() == 1);
      l1.onClose(false, new java.io.IOException("reset"));
      ServerConnection c = s.find(token);
      await().until(() -> c.state() == ServerConnection.State.INACTIVE);

      FakeSocket second = new FakeSocket();
      second.autoComplete = true;
      ConnectionLayer.WebSocketAccept again =
          layer.acceptWebSocket(s, FakeRequest.of("GET", "id", token), null, new FakeResponse());
      assertThat(again).isNotNull();
      again.open(second);
      await().until(() -> c.state() == ServerConnection.State.ACTIVE);
      await().until(() -> !second.sent.isEmpty());
      assertThat(second.sent.get(0).text()).startsWith("{\"type\":9,"); // Sequence
    } finally {
      statefulRuntime.stop(System.nanoTime());
    }
  }

  // ------------------------------------------------------------------ SSE and long polling

  @Test
  void sseWritesOnlyWhileTheStreamIsWritable() {
    String token = negotiate();
    FakeResponse r = new FakeResponse();
    layer.connection(
        hub,
        FakeRequest.of("GET", "id", token).header("Accept", "text/event-stream"),
        null,
        null,
        r);
    FakeStream stream = r.stream;
    assertThat(stream.status).isEqualTo(200);
    assertThat(stream.contentType).isEqualTo("text/event-stream");
    await().until(() -> stream.text().equals(":\r\n"));

    assertThat(post(token, HANDSHAKE).status()).isEqualTo(200);
    await().until(() -> stream.text().equals(":\r\ndata: {}\u001e\r\n\r\n"));

    stream.writable = false;
    assertThat(post(token, invocation("1", "echo", "two\nlines")).status()).isEqualTo(200);
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    assertThat(stream.text()).isEqualTo(":\r\ndata: {}\u001e\r\n\r\n");
    stream.writable = true;
    stream.whenWritable.run();
    await().until(() -> stream.text().endsWith("\r\n\r\n") && stream.text().contains("two"));
    assertThat(stream.text()).endsWith("data: " + completion("1", "two\\nlines") + "\r\n\r\n");

    stream.whenClosed.run(); // the client went away
    await().until(() -> hub.find(token) == null);
  }

  @Test
  void longPollingHoldsEachPollUntilThereIsData() throws Exception {
    String token = negotiate();
    Answer first = answer("GET", "id", token);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).isEmpty();
    assertThat(post(token, HANDSHAKE).status()).isEqualTo(200);
    Answer handshake = answer("GET", "id", token);
    assertThat(handshake.contentType()).isEqualTo("application/octet-stream");
    assertThat(handshake.text()).isEqualTo(HANDSHAKE_OK);

    FakeResponse held = new FakeResponse();
    layer.connection(hub, FakeRequest.of("GET", "id", token), null, null, held);
    await().pollDelay(Duration.ofMillis(100)).until(() -> true);
    assertThat(held.answered.isDone()).isFalse();
    hub.clients().all().send("Notice", "hi");
    assertThat(held.answer().text())
        .isEqualTo("{\"type\":1,\"target\":\"Notice\",\"arguments\":[\"hi\"]}\u001e");

    // A newer poll replaces the held one (204); DELETE ends the connection, the held poll 204.
    FakeResponse older = new FakeResponse();
    layer.connection(hub, FakeRequest.of("GET", "id", token), null, null, older);
    FakeResponse newer = new FakeResponse();
    layer.connection(hub, FakeRequest.of("GET", "id", token), null, null, newer);
    assertThat(older.answer().status()).isEqualTo(204);
    assertThat(answer("DELETE", "id", token).status()).isEqualTo(202);
    assertThat(newer.answer().status()).isEqualTo(204);
    await().until(() -> hub.find(token) == null);
  }

  // ------------------------------------------------------------------ helpers

  String negotiate() {
    FakeResponse r = new FakeResponse();
    layer.negotiate(hub, FakeRequest.of("POST", "negotiateVersion", "1"), null, r);
    return r.answer().text().replaceAll(".*\"connectionToken\":\"([^\"]+)\".*", "$1");
  }

  Answer answer(String method, String... query) {
    FakeResponse r = new FakeResponse();
    layer.connection(hub, FakeRequest.of(method, query), null, new byte[0], r);
    return r.answer();
  }

  Answer post(String token, String body) {
    FakeResponse r = new FakeResponse();
    layer.connection(
        hub, FakeRequest.of("POST", "id", token), null, body.getBytes(StandardCharsets.UTF_8), r);
    return r.answer();
  }

  static String invocation(String id, String target, String arg) {
    return "{\"type\":1,\"invocationId\":\""
        + id
        + "\",\"target\":\""
        + target
        + "\",\"arguments\":[\""
        + arg.replace("\n", "\\n")
        + "\"]}\u001e";
  }

  static String completion(String id, String result) {
    return "{\"type\":3,\"invocationId\":\"" + id + "\",\"result\":\"" + result + "\"}\u001e";
  }

  static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  record Answer(int status, String contentType, byte[] body, List<String> headers) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  static final class FakeRequest implements HostRequest {
    final String method;
    final Map<String, String> query = new HashMap<>();
    final Map<String, String> headers = new HashMap<>();

    private FakeRequest(String method) {
      this.method = method;
    }

    static FakeRequest of(String method, String... query) {
      FakeRequest r = new FakeRequest(method);
      for (int i = 0; i + 1 < query.length; i += 2) {
        r.query.put(query[i], query[i + 1]);
      }
      return r;
    }

    FakeRequest header(String name, String value) {
      headers.put(name.toLowerCase(Locale.ROOT), value);
      return this;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String query(String name) {
      return query.get(name);
    }

    @Override
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public HttpRequest toHttpRequest() {
      return new HttpRequest(method, "/", Map.of(), Map.of(), Map.of(), null, "127.0.0.1", null);
    }
  }

  static final class FakeResponse implements HostResponse {
    final CompletableFuture<Answer> answered = new CompletableFuture<>();
    volatile FakeStream stream;

    Answer answer() {
      return answered.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Override
    public void send(int status, String contentType, byte[] body, String... headers) {
      if (!answered.complete(new Answer(status, contentType, body, List.of(headers)))) {
        throw new AssertionError("answered twice");
      }
    }

    @Override
    public HostStream openStream(int status, String contentType, String... headers) {
      FakeStream s = new FakeStream(status, contentType);
      stream = s;
      return s;
    }
  }

  static final class FakeStream implements HostResponse.HostStream {
    final int status;
    final String contentType;
    final List<byte[]> written = new CopyOnWriteArrayList<>();
    volatile boolean writable = true;
    volatile boolean ended;
    volatile Runnable whenWritable;
    volatile Runnable whenClosed;

    FakeStream(int status, String contentType) {
      this.status = status;
      this.contentType = contentType;
    }

    String text() {
      StringBuilder b = new StringBuilder();
      for (byte[] w : written) {
        b.append(new String(w, StandardCharsets.UTF_8));
      }
      return b.toString();
    }

    @Override
    public boolean isWritable() {
      return writable && !ended;
    }

    @Override
    public void write(byte[] bytes) {
      written.add(bytes);
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public void onWritable(Runnable whenWritable) {
      this.whenWritable = whenWritable;
    }

    @Override
    public void onClosed(Runnable whenClosed) {
      this.whenClosed = whenClosed;
    }

    @Override
    public void end() {
      ended = true;
    }

    @Override
    public void abort() {
      ended = true;
    }
  }

  record Sent(byte[] bytes, boolean binary) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  static final class FakeSocket implements HostWebSocket {
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<Consumer<Throwable>> completions = new ArrayList<>();
    volatile boolean autoComplete;
    volatile boolean paused;
    volatile Integer closedWith;

    @Override
    public synchronized void send(byte[] bytes, boolean binary, Consumer<Throwable> done) {
      sent.add(new Sent(bytes, binary));
      completions.add(done);
      if (autoComplete) {
        done.accept(null);
      }
    }

    synchronized void complete(int i) {
      completions.get(i).accept(null);
    }

    @Override
    public void close(int code, String reason) {
      closedWith = code;
    }

    @Override
    public void pauseReading() {
      paused = true;
    }

    @Override
    public void resumeReading() {
      paused = false;
    }
  }
}
