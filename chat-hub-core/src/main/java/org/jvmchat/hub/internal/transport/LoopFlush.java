package org.jvmchat.hub.internal.transport;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The coalesced flush of one event loop's shared-frame writes ({@link Transport#writeShared}): a
 * write does not flush; the first write after a flush queues one task on the loop, which therefore
 * runs behind the reads and tasks already queued (the rest of the current batch, typically the
 * other broadcasts that arrived meanwhile), and behind the broadcasts already handed to the loop
 * when it runs, and flushes each socket written to once. Touched on its event loop only.
 */
public final class LoopFlush implements Runnable {
  /** How often a flush waits for broadcasts that already reached the loop, at most, in a row. */
  static final int MAX_DEFERRALS = 4;

  private final EventExecutor eventLoop;
  private final BooleanSupplier moreComing;
  private final ArrayList<WebSocketTransport> written = new ArrayList<>();
  private int deferrals;

  /**
   * @param moreComing whether broadcasts were handed to this loop and not delivered yet: the flush
   *     then waits behind them (at most {@link #MAX_DEFERRALS} times in a row), so that they share
   *     its {@code writev} per socket, as broadcasts read from one socket in one batch do
   */
  public LoopFlush(EventExecutor eventLoop, BooleanSupplier moreComing) {
    this.eventLoop = eventLoop;
    this.moreComing = moreComing;
  }

  public LoopFlush(EventExecutor eventLoop) {
    this(eventLoop, () -> false);
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
    if (deferrals < MAX_DEFERRALS && moreComing.getAsBoolean()) {
      deferrals++;
      try {
        eventLoop.execute(this); // behind the write scheduler's task that delivers them
        return;
      } catch (RejectedExecutionException stopping) {
        // flush now
      }
    }
    deferrals = 0;
    // By index: a flush that fails closes the channel, which may write (and so add) on this loop.
    for (int i = 0; i < written.size(); i++) {
      WebSocketTransport t = written.get(i);
      t.flushPending = false;
      t.flushShared();
    }
    written.clear();
  }
}
