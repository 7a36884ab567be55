package org.jvmchat.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.jvmchat.protocol.HubMessage;

/**
 * Client-to-server streams of one session: arguments that are {@link Flow.Publisher}s become stream
 * ids (allocated before the invocation id, as the JavaScript client does), and once the invocation
 * is sent each publisher is subscribed by an {@link UploadSubscriber}. When the session ends, every
 * active upload is cancelled.
 *
 * <p>Thread-safe: the set of active uploads is guarded by this object's monitor; publishers are
 * subscribed and cancelled outside it.
 */
final class UploadStreams {
  /** An invocation's arguments with the publishers taken out. */
  record Call(List<Object> arguments, List<String> streamIds, List<Flow.Publisher<?>> publishers) {}

  /** Where the uploads go: the session's ids and its outbound side. */
  interface Sink {
    /** The next invocation/stream id of the connection. */
    String nextId();

    /** Sends a StreamItem or Completion; completes once handed over (or buffered). */
    CompletableFuture<Void> send(HubMessage message);
  }

  private final Sink sink;
  private final List<UploadSubscriber> active = new ArrayList<>(); // guarded by this
  private boolean closed; // guarded by this

  UploadStreams(Sink sink) {
    this.sink = sink;
  }

  CompletableFuture<Void> send(HubMessage message) {
    return sink.send(message);
  }

  Call prepare(Object[] arguments) {
    List<Object> plain = new ArrayList<>();
    List<String> streamIds = new ArrayList<>();
    List<Flow.Publisher<?>> publishers = new ArrayList<>();
    for (Object a : arguments == null ? new Object[0] : arguments) {
      if (a instanceof Flow.Publisher<?> p) {
        streamIds.add(sink.nextId());
        publishers.add(p);
      } else {
        plain.add(a);
      }
    }
    return new Call(plain, streamIds, publishers);
  }

  /** Subscribes the call's publishers (after its invocation was sent). */
  void start(Call call) {
    for (int i = 0; i < call.publishers().size(); i++) {
      UploadSubscriber upload = new UploadSubscriber(this, call.streamIds().get(i));
      synchronized (this) {
        if (closed) {
          return;
        }
        active.add(upload);
      }
      call.publishers().get(i).subscribe(upload);
    }
  }

  synchronized void done(UploadSubscriber upload) {
    active.remove(upload);
  }

  void cancelAll() {
    List<UploadSubscriber> toCancel;
    synchronized (this) {
      closed = true;
      toCancel = new ArrayList<>(active);
      active.clear();
    }
    toCancel.forEach(UploadSubscriber::cancel);
  }
}
