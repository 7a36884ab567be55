package org.jvmchat.hub.internal.transport;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * The coalesced flush of one event loop's shared-frame writes ({@link Transport#writeShared}): a
 * write does not flush; the first write after a flush queues one task on the loop, which therefore
 * runs behind the reads and tasks already queued (the rest of the current batch, typically the
 * other broadcasts that arrived meanwhile) and flushes each socket written to once. Touched on its
 * event loop only.
 */
public final class LoopFlush implements Runnable {
  private final EventExecutor eventLoop;
  private final ArrayList<WebSocketTransport> written = new ArrayList<>();

  public LoopFlush(EventExecutor eventLoop) {
    this.eventLoop = eventLoop;
  }

  /** Event loop: {@code t} was written to without a flush. */
  void wrote(WebSocketTransport t) {
    if (t.flushPending) {
      return;
    }
    t.flushPending = true;
    written.add(t);
    if (written.size() == 1) {
      try {
        eventLoop.execute(this);
      } catch (RejectedExecutionException stopping) {
        run(); // the loop is stopping: flush now rather than never
      }
    }
  }

  @Override
  public void run() {
    // By index: a flush that fails closes the channel, which may write (and so add) on this loop.
    for (int i = 0; i < written.size(); i++) {
      WebSocketTransport t = written.get(i);
      t.flushPending = false;
      t.flushShared();
    }
    written.clear();
  }
}
