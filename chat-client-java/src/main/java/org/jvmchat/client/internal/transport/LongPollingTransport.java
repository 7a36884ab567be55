package org.jvmchat.client.internal.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Long polling: {@code GET} polls (the first answers at once and starts the connection; later ones
 * are held by the server until data is there), POST sends, {@code DELETE} on stop. A 204 poll is a
 * clean close; a poll that times out client-side is simply repeated.
 *
 * <p>A poll that breaks (the connection closed or reset before its answer) ends the transport, as
 * in the official clients; OkHttp's silent retry is off for polls. The server may have taken
 * messages out of the connection's queue for the lost answer (long polling has no acknowledgment:
 * an instance forwarding the poll died, say), so a poll sent again would go on without them; the
 * connection's end instead lets the application reconnect and recover them (the chat server's
 * {@code lastSeq}).
 */
final class LongPollingTransport implements Transport {
  private final TransportContext context;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile HttpUrl url;
  private volatile PostSender sender;
  private volatile TransportListener listener;
  private volatile Call currentPoll;
  private final OkHttpClient pollClient;

  LongPollingTransport(TransportContext context) {
    this.context = context;
    this.pollClient = context.http().newBuilder().retryOnConnectionFailure(false).build();
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.LongPolling;
  }

  @Override
  public boolean hasInherentKeepAlive() {
    return true;
  }

  @Override
  public CompletableFuture<Void> start(HttpUrl url, TransferFormat format, TransportListener l) {
    this.url = url;
    this.listener = l;
    this.sender = new PostSender(context, url, format);
    CompletableFuture<Void> started = new CompletableFuture<>();
    Call call = pollClient.newCall(pollRequest());
    currentPoll = call;
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            started.completeExceptionally(
                new HubConnectionException("Long polling failed to connect: " + e.getMessage(), e));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              if (response.code() != 200) {
                started.completeExceptionally(
                    new HubConnectionException(
                        "Long polling failed to connect: the server answered " + response.code()));
                return;
              }
              byte[] body = response.body().bytes();
              started.complete(null);
              if (body.length > 0) {
                listener.onReceive(ByteBuffer.wrap(body));
              }
            } catch (IOException e) {
              started.completeExceptionally(
                  new HubConnectionException("Long polling failed to connect: " + e, e));
              return;
            }
            poll();
          }
        });
    return started;
  }

  private Request pollRequest() {
    HttpUrl pollUrl =
        url.newBuilder().addQueryParameter("_", Long.toString(System.currentTimeMillis())).build();
    return new Request.Builder().url(pollUrl).headers(context.headers().get()).get().build();
  }

  private void poll() {
    if (stopping) {
      return; // stop() reports the close once its DELETE is answered
    }
    Call call = pollClient.newCall(pollRequest());
    currentPoll = call;
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            if (stopping) {
              return;
            } else if (e instanceof InterruptedIOException && !c.isCanceled()) {
              poll(); // the client-side poll timeout: poll again
            } else {
              reportClose(new HubConnectionException("Long polling failed: " + e.getMessage(), e));
            }
          }

          @Override
          public void onResponse(Call c, Response response) {
            byte[] body;
            try (response) {
              if (stopping) {
                return;
              }
              if (response.code() == 204) {
                reportClose(null);
                return;
              }
              if (response.code() != 200) {
                reportClose(
                    new HubConnectionException(
                        "Long polling failed: the server answered " + response.code()));
                return;
              }
              body = response.body().bytes();
            } catch (IOException e) {
              if (!stopping) {
                reportClose(new HubConnectionException("Long polling failed: " + e, e));
              }
              return;
            }
            if (body.length > 0 && !stopping) {
              listener.onReceive(ByteBuffer.wrap(body));
            }
            poll();
          }
        });
  }

  @Override
  public CompletableFuture<Void> send(byte[] data) {
    return sender.send(data);
  }

  @Override
  public CompletableFuture<Void> stop() {
    if (stopping) {
      return closed;
    }
    stopping = true;
    Call poll = currentPoll;
    if (poll != null) {
      poll.cancel();
    }
    if (sender != null) {
      sender.close();
    }
    if (url == null) {
      closed.complete(null);
      return closed;
    }
    Request delete =
        new Request.Builder().url(url).headers(context.headers().get()).delete().build();
    context
        .http()
        .newCall(delete)
        .enqueue(
            new Callback() {
              @Override
              public void onFailure(Call c, IOException e) {
                reportClose(null);
              }

              @Override
              public void onResponse(Call c, Response response) {
                response.close(); // 202, or 404 when the server already removed it: both fine
                reportClose(null);
              }
            });
    return closed;
  }

  private void reportClose(Throwable error) {
    if (closeReported.compareAndSet(false, true)) {
      if (sender != null) {
        sender.close();
      }
      try {
        if (listener != null) {
          listener.onClose(error, false);
        }
      } finally {
        closed.complete(null);
      }
    }
  }
}
