package org.jvmchat.client.internal.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.protocol.TransferFormat;

/**
 * Client-to-server sends of the HTTP transports: {@code POST {url}?id=}. One POST at a time, so the
 * server sees messages in order; whatever is queued while a POST is in flight goes out coalesced in
 * the next one (as the JavaScript client does).
 */
final class PostSender {
  private static final MediaType TEXT = MediaType.get("text/plain;charset=UTF-8");
  private static final MediaType BINARY = MediaType.get("application/octet-stream");

  private record Pending(byte[] data, CompletableFuture<Void> done) {}

  private final TransportContext context;
  private final HttpUrl url;
  private final MediaType mediaType;
  private final List<Pending> queue = new ArrayList<>();
  private boolean inFlight;
  private boolean closed;
  private Call current;

  PostSender(TransportContext context, HttpUrl url, TransferFormat format) {
    this.context = context;
    this.url = url;
    this.mediaType = format == TransferFormat.Text ? TEXT : BINARY;
  }

  CompletableFuture<Void> send(byte[] data) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new HubConnectionException("The transport is closed; the message was not sent."));
      }
      queue.add(new Pending(data, done));
      if (inFlight) {
        return done;
      }
      inFlight = true;
    }
    postNext();
    return done;
  }

  /** Fails queued sends and cancels the POST in flight. */
  void close() {
    List<Pending> dropped;
    Call call;
    synchronized (this) {
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
      call = current;
    }
    if (call != null) {
      call.cancel();
    }
    for (Pending p : dropped) {
      p.done().completeExceptionally(new HubConnectionException("The transport was closed."));
    }
  }

  private void postNext() {
    List<Pending> batch;
    synchronized (this) {
      if (queue.isEmpty() || closed) {
        inFlight = false;
        return;
      }
      batch = new ArrayList<>(queue);
      queue.clear();
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Pending p : batch) {
      body.writeBytes(p.data());
    }
    Request request =
        new Request.Builder()
            .url(url)
            .headers(context.headers().get())
            .post(RequestBody.create(body.toByteArray(), mediaType))
            .build();
    Call call = context.http().newCall(request);
    synchronized (this) {
      current = call;
    }
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            finish(batch, new HubConnectionException("Sending failed: " + e.getMessage(), e));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              finish(
                  batch,
                  response.isSuccessful()
                      ? null
                      : new HubConnectionException(
                          "Sending failed: the server answered " + response.code()));
            }
          }
        });
  }

  private void finish(List<Pending> batch, Throwable error) {
    for (Pending p : batch) {
      if (error == null) {
        p.done().complete(null);
      } else {
        p.done().completeExceptionally(error);
      }
    }
    postNext();
  }
}
