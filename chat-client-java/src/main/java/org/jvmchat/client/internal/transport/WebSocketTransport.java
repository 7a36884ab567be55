package org.jvmchat.client.internal.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * The WebSocket transport on OkHttp. JSON goes in text frames, MessagePack in binary frames; both
 * frame types are accepted. A close frame from the server is a clean close (code 1000 or none) or
 * an error (any other code); a broken socket is an abrupt close.
 */
final class WebSocketTransport implements Transport {
  /** How long stop() waits for the server's close frame before cancelling the socket. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final TransportContext context;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private volatile WebSocket socket;
  private volatile TransportListener listener;
  private volatile TransferFormat format;

  WebSocketTransport(TransportContext context) {
    this.context = context;
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.WebSockets;
  }

  @Override
  public CompletableFuture<Void> start(HttpUrl url, TransferFormat format, TransportListener l) {
    this.listener = l;
    this.format = format;
    OkHttpClient client =
        context
            .http()
            .newBuilder()
            .readTimeout(Duration.ZERO)
            .pingInterval(Duration.ZERO)
            .webSocketCloseTimeout(CLOSE_TIMEOUT)
            .build();
    Request request = new Request.Builder().url(url).headers(context.headers().get()).build();
    socket = client.newWebSocket(request, new Listener());
    return started;
  }

  @Override
  public CompletableFuture<Void> send(byte[] data) {
    WebSocket ws = socket;
    boolean queued =
        ws != null
            && (format == TransferFormat.Text
                ? ws.send(new String(data, StandardCharsets.UTF_8))
                : ws.send(ByteString.of(data)));
    return queued
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.failedFuture(
            new HubConnectionException("The WebSocket is not open; the message was not sent."));
  }

  @Override
  public CompletableFuture<Void> stop() {
    WebSocket ws = socket;
    if (ws == null || closed.isDone()) {
      return closed;
    }
    if (!started.isDone()) {
      ws.cancel();
      started.completeExceptionally(new HubConnectionException("The transport was stopped."));
      closed.complete(null);
      return closed;
    }
    ws.close(1000, null);
    // OkHttp cancels after webSocketCloseTimeout itself; this guards the future as well.
    try {
      context
          .timer()
          .schedule(
              () -> {
                if (!closed.isDone()) {
                  ws.cancel();
                  reportClose(null, false);
                }
              },
              CLOSE_TIMEOUT.toMillis() + 500,
              TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      ws.cancel();
      reportClose(null, false);
    }
    return closed;
  }

  private void reportClose(Throwable error, boolean abrupt) {
    if (closeReported.compareAndSet(false, true)) {
      try {
        listener.onClose(error, abrupt);
      } finally {
        closed.complete(null);
      }
    }
  }

  private final class Listener extends WebSocketListener {
    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      started.complete(null);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      listener.onReceive(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      listener.onReceive(ByteBuffer.wrap(bytes.toByteArray()));
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(1000, null);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      if (!started.isDone()) {
        started.completeExceptionally(
            new HubConnectionException("WebSocket closed during connect with status " + code));
        closed.complete(null);
        return;
      }
      Throwable error =
          code == 1000 || code == 1005
              ? null
              : new HubConnectionException(
                  "WebSocket closed with status code: "
                      + code
                      + " ("
                      + (reason == null || reason.isEmpty() ? "no reason given" : reason)
                      + ").");
      reportClose(error, false);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      if (!started.isDone()) {
        String detail =
            response != null
                ? "the server answered " + response.code() + " " + response.message()
                : String.valueOf(t.getMessage());
        if (response != null) {
          response.close();
        }
        started.completeExceptionally(
            new HubConnectionException("WebSocket failed to connect: " + detail, t));
        closed.complete(null);
        return;
      }
      reportClose(new HubConnectionException("WebSocket connection lost: " + t, t), true);
    }
  }
}
