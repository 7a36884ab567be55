package org.jvmchat.client.internal.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Server-Sent Events (server to client, text only) plus POST (client to server). The end of the
 * event stream is a clean close, as in the JavaScript client.
 */
final class ServerSentEventsTransport implements Transport {
  private final TransportContext context;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile EventSource eventSource;
  private volatile PostSender sender;
  private volatile TransportListener listener;

  ServerSentEventsTransport(TransportContext context) {
    this.context = context;
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.ServerSentEvents;
  }

  @Override
  public CompletableFuture<Void> start(HttpUrl url, TransferFormat format, TransportListener l) {
    if (format != TransferFormat.Text) {
      return CompletableFuture.failedFuture(
          new HubConnectionException(
              "The Server-Sent Events transport only supports the 'Text' transfer format."));
    }
    this.listener = l;
    this.sender = new PostSender(context, url, format);
    OkHttpClient client = context.http().newBuilder().readTimeout(Duration.ZERO).build();
    Request request =
        new Request.Builder()
            .url(url)
            .headers(context.headers().get())
            .header("Accept", "text/event-stream")
            .build();
    eventSource = EventSources.createFactory(client).newEventSource(request, new Listener());
    return started;
  }

  @Override
  public CompletableFuture<Void> send(byte[] data) {
    return sender.send(data);
  }

  @Override
  public CompletableFuture<Void> stop() {
    stopping = true;
    EventSource source = eventSource;
    if (source != null) {
      source.cancel();
    }
    if (sender != null) {
      sender.close();
    }
    if (!started.isDone()) {
      started.completeExceptionally(new HubConnectionException("The transport was stopped."));
      closed.complete(null);
    } else {
      reportClose(null);
    }
    return closed;
  }

  private void reportClose(Throwable error) {
    if (closeReported.compareAndSet(false, true)) {
      if (sender != null) {
        sender.close();
      }
      try {
        listener.onClose(error, false);
      } finally {
        closed.complete(null);
      }
    }
  }

  private final class Listener extends EventSourceListener {
    @Override
    public void onOpen(EventSource source, Response response) {
      started.complete(null);
    }

    @Override
    public void onEvent(EventSource source, String id, String type, String data) {
      listener.onReceive(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void onClosed(EventSource source) {
      reportClose(null);
    }

    @Override
    public void onFailure(EventSource source, Throwable t, Response response) {
      if (!started.isDone()) {
        String detail =
            response != null
                ? "the server answered " + response.code()
                : String.valueOf(t == null ? null : t.getMessage());
        started.completeExceptionally(
            new HubConnectionException("EventSource failed to connect: " + detail, t));
        closed.complete(null);
        return;
      }
      reportClose(
          stopping
              ? null
              : new HubConnectionException(
                  "The Server-Sent Events stream failed: " + (t == null ? "" : t.getMessage()), t));
    }
  }
}
