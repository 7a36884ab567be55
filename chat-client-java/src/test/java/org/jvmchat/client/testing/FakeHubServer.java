package org.jvmchat.client.testing;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.AvailableTransport;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * A SignalR server for tests, on MockWebServer: negotiate (v1), WebSockets (upgrade), Server-Sent
 * Events, long polling, POST and DELETE, and a hub implementing the feature tour of CONTRACT.md
 * (Echo, Add, Counter, Sum, AskClient, Broadcast, Fail) with the chat-protocol codecs. Stateful
 * reconnect is written independently of the client's buffer (its own numbering, Ack after every
 * message, replay of what the client has not acknowledged).
 */
public final class FakeHubServer implements AutoCloseable {
  public static final String HUB_PATH = "/hubs/tour";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MockWebServer server = new MockWebServer();
  final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fake-hub-scheduler");
            t.setDaemon(true);
            return t;
          });
  private final ConcurrentHashMap<String, FakeConnection> byToken = new ConcurrentHashMap<>();
  private final List<FakeConnection> connections = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

  /** Transports offered by negotiate, in this order. */
  public volatile List<HttpTransportType> offered =
      List.of(
          HttpTransportType.WebSockets,
          HttpTransportType.ServerSentEvents,
          HttpTransportType.LongPolling);

  /** Transports whose connect request is answered 404 (to test fallback). */
  public volatile Set<HttpTransportType> failing = EnumSet.noneOf(HttpTransportType.class);

  /** Whether negotiate agrees to stateful reconnect when the client asks. */
  public volatile boolean allowStatefulReconnect;

  /** When set, the handshake is answered with this error. */
  public volatile String handshakeError;

  /** When false, the handshake is never answered. */
  public volatile boolean answerHandshake = true;

  /** When set, negotiate answers with whatever this returns (redirects, errors). */
  public volatile Function<RecordedRequest, MockResponse> negotiateOverride;

  /**
   * When true (the default), a client's Close message ends the connection at once: the fake answers
   * with a Close of its own and ends the transport (a long poll then gets 204). When false it only
   * records the Close, and the connection ends with the client's transport (its DELETE, for long
   * polling): the server's end cannot then overtake the client's own stop.
   */
  public volatile boolean endOnClientClose = true;

  /** How long the server holds a long poll without data. */
  public volatile long pollHoldMillis = 2000;

  /** When set, the next long poll is dropped: its socket closes before any answer (then unset). */
  public final AtomicBoolean dropNextPoll = new AtomicBoolean();

  public FakeHubServer() throws IOException {
    server.setDispatcher(new HubDispatcher());
    server.start(0);
  }

  public HttpUrl url() {
    return server.url(HUB_PATH);
  }

  public HttpUrl url(String path) {
    return server.url(path);
  }

  public List<FakeConnection> connections() {
    return connections;
  }

  public FakeConnection connection(int index) {
    return connections.get(index);
  }

  public List<RecordedRequest> requests() {
    return requests;
  }

  public List<RecordedRequest> requests(String method, String pathSuffix) {
    List<RecordedRequest> list = new ArrayList<>();
    for (RecordedRequest r : requests) {
      if (r.getMethod().equals(method) && r.getUrl().encodedPath().endsWith(pathSuffix)) {
        list.add(r);
      }
    }
    return list;
  }

  void broadcast(String target, Object... args) {
    for (FakeConnection c : connections) {
      if (c.isOpen()) {
        c.sendInvocation(target, args);
      }
    }
  }

  static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static MockResponse json(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private FakeConnection create(boolean stateful, String token) {
    FakeConnection c = new FakeConnection(this, newId(), token, stateful);
    byToken.put(token, c);
    connections.add(c);
    return c;
  }

  @Override
  public void close() throws IOException {
    for (FakeConnection c : connections) {
      c.shutdown();
    }
    scheduler.shutdownNow();
    server.close();
  }

  private final class HubDispatcher extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      requests.add(request);
      String path = request.getUrl().encodedPath();
      String method = request.getMethod();
      if (path.endsWith("/negotiate") && method.equals("POST")) {
        Function<RecordedRequest, MockResponse> override = negotiateOverride;
        if (override != null) {
          MockResponse r = override.apply(request);
          if (r != null) {
            return r;
          }
        }
        if (!path.equals(HUB_PATH + "/negotiate")) {
          return new MockResponse.Builder().code(404).body("Not found").build();
        }
        boolean stateful =
            allowStatefulReconnect
                && "true".equals(request.getUrl().queryParameter("useStatefulReconnect"));
        FakeConnection c = create(stateful, newId());
        List<AvailableTransport> list = new ArrayList<>();
        for (HttpTransportType t : offered) {
          list.add(
              new AvailableTransport(
                  t,
                  t == HttpTransportType.ServerSentEvents
                      ? List.of(TransferFormat.Text)
                      : List.of(TransferFormat.Text, TransferFormat.Binary)));
        }
        return json(
            new String(
                NegotiateResponse.connection(1, c.id, c.token, list, stateful).toJson(),
                java.nio.charset.StandardCharsets.UTF_8));
      }
      if (!path.equals(HUB_PATH)) {
        return new MockResponse.Builder().code(404).body("Not found").build();
      }
      String token = request.getUrl().queryParameter("id");
      boolean upgrade = "websocket".equalsIgnoreCase(request.getHeaders().get("Upgrade"));
      if (upgrade && token == null) {
        // skipNegotiation: a connection on the spot, v0 semantics
        FakeConnection c = create(false, newId());
        return new MockResponse.Builder().webSocketUpgrade(c.newSocketListener()).build();
      }
      FakeConnection c = token == null ? null : byToken.get(token);
      if (c == null) {
        return new MockResponse.Builder().code(404).body("No Connection with that ID").build();
      }
      String accept = request.getHeaders().get("Accept");
      if (upgrade) {
        if (failing.contains(HttpTransportType.WebSockets)) {
          return new MockResponse.Builder().code(404).body("WebSockets disabled").build();
        }
        return c.acceptWebSocket();
      }
      if (method.equals("GET") && accept != null && accept.contains("text/event-stream")) {
        if (failing.contains(HttpTransportType.ServerSentEvents)) {
          return new MockResponse.Builder().code(404).body("SSE disabled").build();
        }
        return c.serverSentEvents();
      }
      if (method.equals("GET")) {
        if (failing.contains(HttpTransportType.LongPolling)) {
          return new MockResponse.Builder().code(404).body("LP disabled").build();
        }
        if (dropNextPoll.getAndSet(false)) {
          return new MockResponse.Builder()
              .onResponseStart(new mockwebserver3.SocketEffect.CloseSocket())
              .build();
        }
        return c.poll(pollHoldMillis);
      }
      if (method.equals("POST")) {
        c.onBytes(request.getBody() == null ? new byte[0] : request.getBody().toByteArray());
        return new MockResponse.Builder().code(200).build();
      }
      if (method.equals("DELETE")) {
        c.deleted();
        return new MockResponse.Builder().code(202).build();
      }
      return new MockResponse.Builder().code(405).build();
    }
  }

  /** Waits for a background task of the fake (used by Counter). */
  void later(Runnable task, long delayMillis) {
    if (!scheduler.isShutdown()) {
      scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }
  }
}
