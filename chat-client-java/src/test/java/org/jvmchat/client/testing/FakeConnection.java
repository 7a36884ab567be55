package org.jvmchat.client.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.BufferedSink;
import okio.ByteString;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** One connection of the {@link FakeHubServer}: handshake, the tour hub, test controls. */
public final class FakeConnection {
  private static final byte[] END = new byte[0];

  private final FakeHubServer server;
  public final String id;
  public final String token;
  private final boolean statefulNegotiated;

  private volatile HttpTransportType transport;
  private volatile WebSocket socket;
  private final BlockingQueue<byte[]> outbound = new LinkedBlockingQueue<>();
  private final AtomicBoolean firstPoll = new AtomicBoolean(true);
  private volatile boolean open = true;

  private HubProtocol protocol;
  private HubMessageReader reader;
  private byte[] handshakeBytes = new byte[0];
  private volatile boolean handshakeDone;
  private volatile int handshakeVersion;

  /** Every message received after the handshake, in order (duplicates included). */
  public final List<HubMessage> received = new CopyOnWriteArrayList<>();

  /** Messages dispatched to the hub (after duplicate removal). */
  public final List<HubMessage> processed = new CopyOnWriteArrayList<>();

  /** Completions the client sent for server-to-client invocations, by id. */
  public final Map<String, CompletionMessage> clientResults = new ConcurrentHashMap<>();

  // stateful reconnect bookkeeping, independent of the client's implementation
  private final List<byte[]> sentLog = new ArrayList<>();
  private long lastAckFromClient;
  private long nextExpected = 1;
  private long latestProcessed;
  private volatile boolean gated;

  private final Map<String, List<Object>> uploads = new ConcurrentHashMap<>();
  private final Map<String, String> uploadOwners = new ConcurrentHashMap<>();
  private final Map<String, String> askOwners = new ConcurrentHashMap<>();
  private final Map<String, AtomicBoolean> counters = new ConcurrentHashMap<>();
  private final AtomicLong serverIds = new AtomicLong(1);

  FakeConnection(FakeHubServer server, String id, String token, boolean statefulNegotiated) {
    this.server = server;
    this.id = id;
    this.token = token;
    this.statefulNegotiated = statefulNegotiated;
  }

  public boolean isOpen() {
    return open && handshakeDone;
  }

  public HttpTransportType transport() {
    return transport;
  }

  public int handshakeVersion() {
    return handshakeVersion;
  }

  public boolean statefulActive() {
    return statefulNegotiated && handshakeVersion >= 2;
  }

  // ---------------------------------------------------------------- transports

  MockResponse acceptWebSocket() {
    if (socket != null && !statefulActive()) {
      return new MockResponse.Builder().code(409).build();
    }
    return new MockResponse.Builder().webSocketUpgrade(newSocketListener()).build();
  }

  WebSocketListener newSocketListener() {
    return new WebSocketListener() {
      @Override
      public void onOpen(WebSocket webSocket, Response response) {
        transport = HttpTransportType.WebSockets;
        boolean reconnect = socket != null;
        socket = webSocket;
        if (reconnect) {
          resumeAfterReconnect();
        }
      }

      @Override
      public void onMessage(WebSocket webSocket, String text) {
        if (webSocket == socket) {
          onBytes(text.getBytes(StandardCharsets.UTF_8));
        }
      }

      @Override
      public void onMessage(WebSocket webSocket, ByteString bytes) {
        if (webSocket == socket) {
          onBytes(bytes.toByteArray());
        }
      }

      @Override
      public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(1000, null);
        if (webSocket == socket) {
          open = false;
        }
      }

      @Override
      public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        if (webSocket == socket && !statefulActive()) {
          open = false;
        }
      }
    };
  }

  MockResponse serverSentEvents() {
    transport = HttpTransportType.ServerSentEvents;
    MockResponseBody body =
        new MockResponseBody() {
          @Override
          public long getContentLength() {
            return -1;
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8(":\r\n");
            sink.flush();
            while (true) {
              byte[] next;
              try {
                next = outbound.poll(100, TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                return;
              }
              if (next == END || (!open && next == null)) {
                return;
              }
              if (next != null) {
                sink.writeUtf8("data: " + new String(next, StandardCharsets.UTF_8) + "\r\n\r\n");
                sink.flush();
              }
            }
          }
        };
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "text/event-stream")
        .addHeader("Cache-Control", "no-cache")
        .body(body)
        .build();
  }

  MockResponse poll(long holdMillis) throws InterruptedException {
    transport = HttpTransportType.LongPolling;
    if (firstPoll.getAndSet(false)) {
      return new MockResponse.Builder()
          .code(200)
          .addHeader("Content-Type", "application/octet-stream")
          .body("")
          .build();
    }
    byte[] first = outbound.poll(holdMillis, TimeUnit.MILLISECONDS);
    if (first == END || (first == null && !open)) {
      open = false;
      return new MockResponse.Builder().code(204).build();
    }
    okio.Buffer body = new okio.Buffer();
    if (first != null) {
      body.write(first);
      byte[] more;
      while ((more = outbound.poll()) != null) {
        if (more == END) {
          outbound.add(END);
          break;
        }
        body.write(more);
      }
    }
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/octet-stream")
        .body(body)
        .build();
  }

  void deleted() {
    open = false;
    outbound.add(END);
  }

  // ---------------------------------------------------------------- inbound

  synchronized void onBytes(byte[] bytes) {
    ByteBuffer data = ByteBuffer.wrap(bytes);
    if (!handshakeDone) {
      byte[] all = new byte[handshakeBytes.length + bytes.length];
      System.arraycopy(handshakeBytes, 0, all, 0, handshakeBytes.length);
      System.arraycopy(bytes, 0, all, handshakeBytes.length, bytes.length);
      data = ByteBuffer.wrap(all);
      HandshakeRequest request = HandshakeProtocol.tryParseRequest(data, 0);
      if (request == null) {
        handshakeBytes = all;
        return;
      }
      if (!server.answerHandshake) {
        return;
      }
      if (server.handshakeError != null) {
        writeRaw(
            HandshakeProtocol.writeResponse(new HandshakeResponse(server.handshakeError)), true);
        closeTransport();
        return;
      }
      protocol =
          request.protocol().equals("messagepack")
              ? new MessagePackHubProtocol()
              : new JsonHubProtocol();
      reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, 0);
      handshakeVersion = request.version();
      handshakeDone = true;
      writeRaw(HandshakeProtocol.writeResponse(HandshakeResponse.SUCCESS), true);
    }
    reader.feed(data, this::onMessage);
  }

  private void onMessage(HubMessage m) {
    received.add(m);
    if (statefulActive() && m instanceof HubInvocationMessage) {
      if (gated) {
        return;
      }
      long messageId = nextExpected++;
      if (messageId <= latestProcessed) {
        return; // duplicate
      }
      latestProcessed = messageId;
      writeRaw(protocol.toBytes(new AckMessage(latestProcessed)), false);
    }
    if (m instanceof SequenceMessage s) {
      nextExpected = s.sequenceId();
      gated = false;
      return;
    }
    if (m instanceof AckMessage a) {
      lastAckFromClient = Math.max(lastAckFromClient, a.sequenceId());
      return;
    }
    processed.add(m);
    if (m instanceof InvocationMessage inv) {
      invoke(inv);
    } else if (m instanceof StreamInvocationMessage s) {
      stream(s);
    } else if (m instanceof CancelInvocationMessage c) {
      AtomicBoolean running = counters.get(c.invocationId());
      if (running != null) {
        running.set(false);
      }
    } else if (m instanceof StreamItemMessage item) {
      List<Object> items = uploads.get(item.invocationId());
      if (items != null) {
        items.add(item.item());
      }
    } else if (m instanceof CompletionMessage c) {
      completion(c);
    } else if (m instanceof CloseMessage && server.endOnClientClose) {
      send(CloseMessage.EMPTY);
      open = false;
      closeTransport();
    }
  }

  private void invoke(InvocationMessage inv) {
    String callId = inv.invocationId();
    List<Object> args = inv.arguments();
    switch (inv.target().toLowerCase()) {
      case "echo" -> complete(callId, args.get(0));
      case "add" ->
          complete(callId, ((Number) args.get(0)).intValue() + ((Number) args.get(1)).intValue());
      case "sum" -> {
        String streamId = inv.streamIds().get(0);
        uploads.put(streamId, new CopyOnWriteArrayList<>());
        uploadOwners.put(streamId, callId);
      }
      case "askclient" -> {
        String askId = "s" + serverIds.getAndIncrement();
        askOwners.put(askId, callId);
        send(new InvocationMessage(Map.of(), askId, "Ask", List.of(args.get(0)), null));
      }
      case "broadcast" -> {
        server.broadcast("Broadcasted", args.get(0));
        complete(callId, null);
      }
      case "fail" -> {
        if (callId != null) {
          send(
              CompletionMessage.withError(
                  callId, "An unexpected error occurred invoking 'Fail' on the server."));
        }
      }
      default -> {
        if (callId != null) {
          send(CompletionMessage.withError(callId, "Unknown hub method '" + inv.target() + "'"));
        }
      }
    }
  }

  private void complete(String callId, Object result) {
    if (callId != null) {
      send(CompletionMessage.withResult(callId, result));
    }
  }

  private void stream(StreamInvocationMessage s) {
    if (!s.target().equalsIgnoreCase("counter")) {
      send(
          CompletionMessage.withError(s.invocationId(), "Unknown hub method '" + s.target() + "'"));
      return;
    }
    int count = ((Number) s.arguments().get(0)).intValue();
    int delay = ((Number) s.arguments().get(1)).intValue();
    AtomicBoolean running = new AtomicBoolean(true);
    counters.put(s.invocationId(), running);
    counterStep(s.invocationId(), 0, count, delay, running);
  }

  private void counterStep(String callId, int i, int count, int delay, AtomicBoolean running) {
    server.later(
        () -> {
          synchronized (this) {
            if (!running.get() || i >= count || !open) {
              counters.remove(callId);
              send(CompletionMessage.empty(callId));
              return;
            }
            send(StreamItemMessage.of(callId, i));
          }
          counterStep(callId, i + 1, count, delay, running);
        },
        delay);
  }

  private void completion(CompletionMessage c) {
    String owner = uploadOwners.remove(c.invocationId());
    if (owner != null) {
      List<Object> items = uploads.remove(c.invocationId());
      if (c.error() != null) {
        send(CompletionMessage.withError(owner, "Upload failed: " + c.error()));
      } else {
        int sum = 0;
        for (Object o : items) {
          sum += ((Number) o).intValue();
        }
        complete(owner, sum);
      }
      return;
    }
    clientResults.put(c.invocationId(), c);
    String asker = askOwners.remove(c.invocationId());
    if (asker != null) {
      send(
          c.error() != null
              ? CompletionMessage.withError(asker, c.error())
              : CompletionMessage.withResult(asker, c.result()));
    }
  }

  // ---------------------------------------------------------------- outbound and controls

  /** Sends a hub message (numbered and kept for replay when stateful). */
  public synchronized void send(HubMessage message) {
    byte[] bytes = protocol.toBytes(message);
    if (statefulActive() && message instanceof HubInvocationMessage) {
      sentLog.add(bytes);
    }
    writeRaw(bytes, false);
  }

  /** Invokes a client method without expecting an answer. */
  public void sendInvocation(String target, Object... args) {
    send(new InvocationMessage(Map.of(), null, target, java.util.Arrays.asList(args), null));
  }

  /** Sends a Close message and ends the transport gracefully. */
  public synchronized void close(CloseMessage close) {
    writeRaw(protocol.toBytes(close), false);
    open = false;
    closeTransport();
  }

  /** Breaks the WebSocket without a close frame (a network drop). */
  public void dropSocket() {
    WebSocket ws = socket;
    if (ws != null) {
      breakSocket(ws);
    }
  }

  /** Server-side OkHttp web sockets have no Call to cancel: fail them, which closes the socket. */
  private static void breakSocket(WebSocket ws) {
    ((okhttp3.internal.ws.RealWebSocket) ws)
        .failWebSocket(new IOException("connection dropped by the test"), null, false);
  }

  /** Ends the transport gracefully without a Close message. */
  public synchronized void closeTransport() {
    WebSocket ws = socket;
    if (ws != null) {
      ws.close(1000, null);
    }
    outbound.add(END);
  }

  void shutdown() {
    open = false;
    WebSocket ws = socket;
    if (ws != null) {
      breakSocket(ws);
    }
    outbound.add(END);
  }

  private synchronized void resumeAfterReconnect() {
    gated = true;
    writeRaw(protocol.toBytes(new SequenceMessage(lastAckFromClient + 1)), false);
    for (int i = (int) lastAckFromClient; i < sentLog.size(); i++) {
      writeRaw(sentLog.get(i), false);
    }
  }

  private void writeRaw(byte[] bytes, boolean handshake) {
    WebSocket ws = socket;
    if (transport == HttpTransportType.WebSockets && ws != null) {
      if (protocol == null || protocol.transferFormat() == TransferFormat.Text || handshake) {
        ws.send(new String(bytes, StandardCharsets.UTF_8));
      } else {
        ws.send(ByteString.of(bytes));
      }
    } else {
      outbound.add(bytes);
    }
  }
}
