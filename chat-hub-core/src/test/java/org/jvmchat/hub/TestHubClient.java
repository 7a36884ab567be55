package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * A raw SignalR client over OkHttp's WebSocket for tests, in the recorder style of OkHttp's own
 * tests: every message the server sends is recorded in order, and the test awaits the ones it
 * expects ({@link #awaitMessage}), consuming them.
 */
public final class TestHubClient implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

  /** Shared by every test; connections are cheap, threads are pooled. */
  public static final OkHttpClient HTTP =
      new OkHttpClient.Builder()
          .readTimeout(Duration.ofSeconds(30))
          .pingInterval(Duration.ZERO)
          .build();

  private final HubProtocol protocol;
  private final WebSocket webSocket;
  private final AtomicInteger ids = new AtomicInteger();
  private final List<HubMessage> received = new ArrayList<>();
  private final List<byte[]> frames = new ArrayList<>();
  private final List<HubMessage> history = new ArrayList<>();
  private final java.util.Map<String, AtomicInteger> invocationCounts =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final CompletableFuture<HandshakeResponse> handshake = new CompletableFuture<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final CompletableFuture<Response> opened = new CompletableFuture<>();
  private ByteBuffer handshakeBuffer = ByteBuffer.allocate(0);
  private final HubMessageReader reader;
  private volatile String connectionId;

  private TestHubClient(String wsUrl, HubProtocol protocol, boolean resumed) {
    this.protocol = protocol;
    if (resumed) {
      handshake.complete(HandshakeResponse.SUCCESS);
    }
    this.reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, 0);
    this.webSocket = HTTP.newWebSocket(new Request.Builder().url(wsUrl).build(), new Listener());
  }

  // ---------------------------------------------------------------- HTTP helpers

  /** POSTs {@code {hubUrl}/negotiate?negotiateVersion=1} and parses the answer. */
  public static NegotiateResponse negotiate(String hubUrl) {
    return NegotiateResponse.parse(
        post(hubUrl + "/negotiate?negotiateVersion=1", "").body().getBytes(StandardCharsets.UTF_8));
  }

  public record HttpResult(int code, String body, okhttp3.Headers headers) {}

  public static HttpResult post(String url, String body) {
    return call(new Request.Builder().url(url).post(RequestBody.create(body, TEXT)).build());
  }

  public static HttpResult get(String url) {
    return call(new Request.Builder().url(url).get().build());
  }

  public static HttpResult call(Request request) {
    try (Response r = HTTP.newCall(request).execute()) {
      return new HttpResult(r.code(), r.body().string(), r.headers());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- connecting

  /** Negotiates, opens a WebSocket and completes a JSON handshake. */
  public static TestHubClient connect(String hubUrl) {
    return connect(hubUrl, new JsonHubProtocol());
  }

  public static TestHubClient connect(String hubUrl, HubProtocol protocol) {
    NegotiateResponse n = negotiate(hubUrl);
    TestHubClient c = open(wsUrl(hubUrl) + "?id=" + n.effectiveConnectionToken(), protocol);
    c.connectionId = n.connectionId();
    c.handshake(protocol.name(), 1);
    return c;
  }

  /** Connects as a user: bearer header on negotiate, {@code access_token} on the WebSocket. */
  public static TestHubClient connectAs(String hubUrl, String accessToken) {
    HttpResult r =
        call(
            new Request.Builder()
                .url(hubUrl + "/negotiate?negotiateVersion=1")
                .header("Authorization", "Bearer " + accessToken)
                .post(RequestBody.create(new byte[0]))
                .build());
    assertThat(r.code()).as("negotiate status").isEqualTo(200);
    NegotiateResponse n = NegotiateResponse.parse(r.body().getBytes(StandardCharsets.UTF_8));
    TestHubClient c =
        open(
            wsUrl(hubUrl) + "?id=" + n.connectionToken() + "&access_token=" + accessToken,
            new JsonHubProtocol());
    c.connectionId = n.connectionId();
    c.handshake("json", 1);
    return c;
  }

  /** Opens a WebSocket to {@code wsUrl} without any handshake. */
  public static TestHubClient open(String wsUrl, HubProtocol protocol) {
    TestHubClient c = new TestHubClient(wsUrl, protocol, false);
    await(c.opened, "the WebSocket to open");
    return c;
  }

  /**
   * Opens a WebSocket that continues a stateful connection: no handshake, hub messages from the
   * first byte.
   */
  public static TestHubClient resume(String wsUrl, HubProtocol protocol) {
    TestHubClient c = new TestHubClient(wsUrl, protocol, true);
    await(c.opened, "the WebSocket to open");
    return c;
  }

  public static String wsUrl(String hubUrl) {
    return "ws" + hubUrl.substring(4);
  }

  /** Sends a handshake request and awaits a successful response. */
  public TestHubClient handshake(String protocolName, int version) {
    sendHandshake(protocolName, version);
    HandshakeResponse response = awaitHandshake();
    assertThat(response.error()).as("handshake error").isNull();
    return this;
  }

  public void sendHandshake(String protocolName, int version) {
    sendText(
        new String(
            HandshakeProtocol.writeRequest(new HandshakeRequest(protocolName, version)),
            StandardCharsets.UTF_8));
  }

  public HandshakeResponse awaitHandshake() {
    return await(handshake, "the handshake response");
  }

  public String connectionId() {
    return connectionId;
  }

  // ---------------------------------------------------------------- sending

  public void sendText(String text) {
    assertThat(webSocket.send(text)).as("WebSocket accepted the text frame").isTrue();
  }

  public void sendBytes(byte[] bytes) {
    assertThat(webSocket.send(ByteString.of(bytes))).as("WebSocket accepted the frame").isTrue();
  }

  /** Sends one message in the client's protocol (text frame for JSON, binary for MessagePack). */
  public void send(HubMessage message) {
    byte[] bytes = protocol.toBytes(message);
    if (protocol.transferFormat() == TransferFormat.Text) {
      sendText(new String(bytes, StandardCharsets.UTF_8));
    } else {
      sendBytes(bytes);
    }
  }

  public String nextId() {
    return Integer.toString(ids.getAndIncrement());
  }

  /** Sends a blocking Invocation; returns its id. */
  public String invoke(String target, Object... args) {
    String id = nextId();
    send(InvocationMessage.invoke(id, target, args));
    return id;
  }

  /** Sends a blocking Invocation and awaits its Completion. */
  public CompletionMessage invokeAndAwait(String target, Object... args) {
    return awaitCompletion(invoke(target, args));
  }

  /** Sends a non-blocking Invocation (no id). */
  public void sendInvocation(String target, Object... args) {
    send(InvocationMessage.send(target, args));
  }

  /** Sends a StreamInvocation; returns its id. */
  public String stream(String target, Object... args) {
    String id = nextId();
    send(StreamInvocationMessage.of(id, target, args));
    return id;
  }

  // ---------------------------------------------------------------- receiving

  /** Awaits (and consumes) the first recorded message matching {@code predicate}. */
  public HubMessage awaitMessage(Predicate<HubMessage> predicate, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (true) {
        for (Iterator<HubMessage> it = received.iterator(); it.hasNext(); ) {
          HubMessage m = it.next();
          if (predicate.test(m)) {
            it.remove();
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "No matching message within " + timeout + "; received: " + received);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(received, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  public HubMessage awaitMessage(Predicate<HubMessage> predicate) {
    return awaitMessage(predicate, TIMEOUT);
  }

  public <T extends HubMessage> T awaitMessage(Class<T> type) {
    return type.cast(awaitMessage(type::isInstance));
  }

  public CompletionMessage awaitCompletion(String invocationId) {
    return (CompletionMessage)
        awaitMessage(
            m -> m instanceof CompletionMessage c && c.invocationId().equals(invocationId));
  }

  public InvocationMessage awaitInvocation(String target) {
    return (InvocationMessage)
        awaitMessage(m -> m instanceof InvocationMessage i && i.target().equals(target));
  }

  public CloseMessage awaitClose() {
    return awaitMessage(CloseMessage.class);
  }

  /** Everything recorded and not yet consumed, pings excluded. */
  public List<HubMessage> pending() {
    synchronized (received) {
      List<HubMessage> copy = new ArrayList<>();
      for (HubMessage m : received) {
        if (!(m instanceof PingMessage)) {
          copy.add(m);
        }
      }
      return copy;
    }
  }

  /** Every message received so far, in order, consumed or not. */
  public List<HubMessage> history() {
    synchronized (received) {
      return new ArrayList<>(history);
    }
  }

  /** How many invocations of {@code target} the server has sent so far. */
  public int invocationCount(String target) {
    AtomicInteger n = invocationCounts.get(target);
    return n == null ? 0 : n.get();
  }

  /** Every WebSocket message received, raw. */
  public List<byte[]> frames() {
    synchronized (received) {
      return new ArrayList<>(frames);
    }
  }

  /** Awaits the end of the WebSocket; returns the close code (or -1 when it failed). */
  public int awaitSocketClosed() {
    return await(closed, "the WebSocket to close");
  }

  public boolean isSocketClosed() {
    return closed.isDone();
  }

  /** Drops the socket without a close frame (a network loss). */
  public void cancel() {
    webSocket.cancel();
  }

  /** Closes the WebSocket gracefully (close frame 1000). */
  @Override
  public void close() {
    webSocket.close(1000, null);
  }

  static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("Timed out waiting for " + what);
    } catch (Exception e) {
      throw new AssertionError("Failed waiting for " + what, e);
    }
  }

  private void onBytes(byte[] bytes) {
    synchronized (received) {
      frames.add(bytes);
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      if (!handshake.isDone()) {
        ByteBuffer joined = ByteBuffer.allocate(handshakeBuffer.remaining() + buf.remaining());
        joined.put(handshakeBuffer).put(buf).flip();
        HandshakeResponse r = HandshakeProtocol.tryParseResponse(joined, 0);
        if (r == null) {
          handshakeBuffer = joined;
          return;
        }
        handshakeBuffer = ByteBuffer.allocate(0);
        buf = joined;
        handshake.complete(r);
      }
      if (buf.hasRemaining()) {
        reader.feed(
            buf,
            m -> {
              received.add(m);
              history.add(m);
              if (m instanceof InvocationMessage i) {
                invocationCounts
                    .computeIfAbsent(i.target(), t -> new AtomicInteger())
                    .incrementAndGet();
              }
            });
      }
      received.notifyAll();
    }
  }

  private final class Listener extends WebSocketListener {
    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      opened.complete(response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      onBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      onBytes(bytes.toByteArray());
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(1000, null);
      closed.complete(code);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      closed.complete(code);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      opened.completeExceptionally(t);
      closed.complete(-1);
      synchronized (received) {
        received.notifyAll();
      }
    }
  }
}
