package org.jvmchat.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A minimal SignalR client for tests: negotiate, WebSockets, the JSON hub protocol. It records
 * every invocation the server sends and completes invocations with their result or error.
 */
public final class TestHubClient implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final char RS = '\u001e';

  private final WebSocket socket;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final CompletableFuture<String> handshake = new CompletableFuture<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final StringBuilder buffer = new StringBuilder();
  private volatile String connectionId;
  private volatile boolean closeAllowsReconnect;

  private TestHubClient(WebSocket socket) {
    this.socket = socket;
  }

  /** Negotiates and connects over WebSockets with the JSON protocol. */
  public static TestHubClient connect(HttpClient http, String baseUrl, String hubPath, String token)
      throws Exception {
    HttpResponse<String> negotiate =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + hubPath + "/negotiate?negotiateVersion=1"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (negotiate.statusCode() != 200) {
      throw new IllegalStateException("negotiate answered " + negotiate.statusCode());
    }
    JsonNode n = MAPPER.readTree(negotiate.body());
    String wsUrl =
        baseUrl.replaceFirst("^http", "ws") + hubPath + "?id=" + n.get("connectionToken").asText();
    Listener listener = new Listener();
    WebSocket ws =
        http.newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(wsUrl), listener)
            .get(10, TimeUnit.SECONDS);
    TestHubClient client = new TestHubClient(ws);
    client.connectionId = n.get("connectionId").asText();
    listener.client = client;
    ws.sendText("{\"protocol\":\"json\",\"version\":1}" + RS, true).get(10, TimeUnit.SECONDS);
    String response = client.handshake.get(10, TimeUnit.SECONDS);
    if (!response.equals("{}")) {
      throw new IllegalStateException("handshake failed: " + response);
    }
    return client;
  }

  public String connectionId() {
    return connectionId;
  }

  /** Invokes a hub method; the future fails with {@link HubError} on an error completion. */
  public CompletableFuture<JsonNode> invoke(String target, Object... args) {
    String id = Integer.toString(ids.incrementAndGet());
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    pending.put(id, result);
    ObjectNode msg = MAPPER.createObjectNode();
    msg.put("type", 1);
    msg.put("invocationId", id);
    msg.put("target", target);
    ArrayNode arguments = msg.putArray("arguments");
    for (Object a : args) {
      arguments.add(MAPPER.valueToTree(a));
    }
    send(msg);
    return result;
  }

  /**
   * Returns once the server has run the hub's onConnected for this connection: the server runs a
   * connection's onConnected and its invocations one at a time, in order, so the completion of any
   * invocation (here of a method that does not exist) comes after it.
   */
  public TestHubClient awaitConnected() throws Exception {
    try {
      call("NoSuchMethodUsedAsABarrier");
      throw new IllegalStateException("the barrier method exists");
    } catch (HubError expected) {
      if (!expected.getMessage().contains("Unknown hub method")) {
        throw expected;
      }
    }
    return this;
  }

  /** Invokes and waits at most 10 s. */
  public JsonNode call(String target, Object... args) throws Exception {
    try {
      return invoke(target, args).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof HubError he) {
        throw he;
      }
      throw e;
    }
  }

  /** Waits for an invocation of {@code target} from the server whose argument matches. */
  public JsonNode awaitEvent(String target, Predicate<JsonNode> argument) {
    JsonNode[] found = new JsonNode[1];
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              for (JsonNode e : events) {
                if (e.get("target").asText().equals(target)
                    && argument.test(e.get("arguments").get(0))) {
                  found[0] = e.get("arguments").get(0);
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  /** Every argument of the invocations of {@code target} received so far. */
  public List<JsonNode> events(String target) {
    return events.stream()
        .filter(e -> e.get("target").asText().equals(target))
        .map(e -> e.get("arguments").get(0))
        .toList();
  }

  /** Whether the server's Close message carried {@code allowReconnect: true}. */
  public boolean closeAllowsReconnect() {
    return closeAllowsReconnect;
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** The Close message's error (or "" without one), once the server closed the connection. */
  public CompletableFuture<String> closed() {
    return closed;
  }

  private void send(JsonNode msg) {
    try {
      socket.sendText(MAPPER.writeValueAsString(msg) + RS, true).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("send failed", e);
    }
  }

  private void onText(String frame) {
    buffer.append(frame);
    int end;
    while ((end = buffer.indexOf(String.valueOf(RS))) >= 0) {
      String message = buffer.substring(0, end);
      buffer.delete(0, end + 1);
      if (!handshake.isDone()) {
        handshake.complete(message);
        continue;
      }
      try {
        onMessage(MAPPER.readTree(message));
      } catch (Exception e) {
        throw new IllegalStateException("bad message from server: " + message, e);
      }
    }
  }

  private void onMessage(JsonNode msg) {
    int type = msg.get("type").asInt();
    switch (type) {
      case 1 -> events.add(msg);
      case 3 -> {
        CompletableFuture<JsonNode> f = pending.remove(msg.get("invocationId").asText());
        if (f != null) {
          if (msg.has("error")) {
            f.completeExceptionally(new HubError(msg.get("error").asText()));
          } else {
            f.complete(msg.get("result"));
          }
        }
      }
      case 7 -> {
        closeAllowsReconnect = msg.path("allowReconnect").asBoolean(false);
        closed.complete(msg.has("error") ? msg.get("error").asText() : "");
      }
      default -> {}
    }
  }

  @Override
  public void close() {
    if (!closed.isDone() && !socket.isOutputClosed()) {
      try {
        socket.sendText("{\"type\":7}" + RS, true).get(2, TimeUnit.SECONDS);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the server is gone already: abort below
      }
    }
    socket.abort();
    closed.complete("");
  }

  /** An error completion. */
  public static final class HubError extends Exception {
    private static final long serialVersionUID = 1L;

    public HubError(String message) {
      super(message);
    }
  }

  private static final class Listener implements WebSocket.Listener {
    volatile TestHubClient client;
    private final StringBuilder early = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      synchronized (this) {
        if (client == null) {
          early.append(data);
        } else {
          if (early.length() > 0) {
            client.onText(early.toString());
            early.setLength(0);
          }
          client.onText(data.toString());
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      if (client != null) {
        client.closed.complete("");
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      if (client != null) {
        client.closed.complete("error: " + error);
      }
    }
  }
}
