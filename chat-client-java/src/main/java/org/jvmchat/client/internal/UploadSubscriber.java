package org.jvmchat.client.internal;

import java.util.concurrent.Flow;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.StreamItemMessage;

/**
 * Feeds one client-to-server stream: each item becomes a StreamItem; the next item is requested
 * only once the previous one was handed to the transport (so the publisher is throttled by the
 * transport and, with stateful reconnect, by the replay buffer). Completion ends the stream.
 */
final class UploadSubscriber implements Flow.Subscriber<Object> {
  private final UploadStreams uploads;
  private final String streamId;
  private volatile Flow.Subscription subscription;
  private volatile boolean done;

  UploadSubscriber(UploadStreams uploads, String streamId) {
    this.uploads = uploads;
    this.streamId = streamId;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (subscription != null || done) {
      s.cancel();
      return;
    }
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(Object item) {
    if (done) {
      return;
    }
    uploads
        .send(StreamItemMessage.of(streamId, item))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                cancel();
              } else if (!done) {
                subscription.request(1);
              }
            });
  }

  @Override
  public void onError(Throwable error) {
    if (!done) {
      done = true;
      uploads.done(this);
      uploads.send(CompletionMessage.withError(streamId, error.toString()));
    }
  }

  @Override
  public void onComplete() {
    if (!done) {
      done = true;
      uploads.done(this);
      uploads.send(CompletionMessage.empty(streamId));
    }
  }

  /** The connection ended: stop pulling from the publisher. */
  void cancel() {
    done = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }
}
