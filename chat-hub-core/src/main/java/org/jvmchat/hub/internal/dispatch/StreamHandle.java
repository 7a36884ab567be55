package org.jvmchat.hub.internal.dispatch;

import java.util.concurrent.Flow;

/** One running server-to-client stream: cancellable once, finishing once. */
public final class StreamHandle {
  private Flow.Subscription subscription;
  private boolean cancelled;
  private boolean finished;

  /** Attaches the producer's subscription; false (and cancels it) when already cancelled. */
  synchronized boolean attach(Flow.Subscription s) {
    if (cancelled) {
      s.cancel();
      return false;
    }
    this.subscription = s;
    return true;
  }

  public synchronized boolean isCancelled() {
    return cancelled;
  }

  /** Cancels; true when this call ended the stream (so the caller sends its Completion). */
  public boolean cancel() {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled || finished) {
        return false;
      }
      cancelled = true;
      finished = true;
      s = subscription;
    }
    if (s != null) {
      s.cancel();
    }
    return true;
  }

  /** Marks the natural end; true when the stream was still running. */
  synchronized boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    return true;
  }
}
