package org.jvmchat.hub.internal.connection;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.hub.internal.transport.LoopFlush;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.SerializedHubMessage;

/**
 * Coalesces the writes of one event loop: a connection that got something to send while no drain of
 * it was pending is put on its event loop's ready queue, and the loop is woken at most once for
 * everything that became ready meanwhile. One task then drains every ready connection, each with
 * one write and one flush. So a broadcast to 1,000 connections on two event loops costs two
 * wake-ups, not 1,000 tasks; and a connection that gets ten messages before its loop runs writes
 * them with one syscall.
 *
 * <p>The ready queue is an unbounded multi-producer queue, but a connection is in it at most once
 * at a time (its own drain-pending flag), so it never holds more entries than there are connections
 * on the loop.
 */
public final class WriteScheduler implements Runnable {
  /** A connection as the scheduler sees it: something to drain on its event loop. */
  public interface Drainable {
    /** Event loop: writes out what is queued. */
    void drain();
  }

  /** A connection as a {@link Batch} writes to it: a write that leaves the wake-up to the batch. */
  public interface BatchWriter {
    /**
     * Any thread: queues {@code message} like {@link HubConnectionContext#write}, and leaves the
     * wake-up of the event loop to {@code batch}.
     */
    boolean write(SerializedHubMessage message, Batch batch);
  }

  private static final int MAX_DRAINS_PER_TASK = 4096;

  private final EventExecutor eventLoop;
  // Connections to drain (Drainable), and in the same order broadcasts to deliver and writes that
  // follow them (Runnable): one ordered stream per loop.
  private final Queue<Object> ready = PlatformDependent.newMpscQueue();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final AtomicInteger broadcastsPending = new AtomicInteger();
  private final LoopFlush flush;

  private WriteScheduler(EventExecutor eventLoop) {
    this.eventLoop = eventLoop;
    this.flush = new LoopFlush(eventLoop, this::broadcastsPending);
  }

  /** The event loop this scheduler writes on. */
  public EventExecutor eventLoop() {
    return eventLoop;
  }

  /** The loop's coalesced flush of broadcasts' shared-frame writes ({@link Fanout}). */
  public LoopFlush flush() {
    return flush;
  }

  /** One scheduler per event loop, created on first use. */
  public static final class Registry {
    private final ConcurrentHashMap<EventExecutor, WriteScheduler> schedulers =
        new ConcurrentHashMap<>();

    public WriteScheduler of(EventExecutor eventLoop) {
      WriteScheduler s = schedulers.get(eventLoop);
      return s != null ? s : schedulers.computeIfAbsent(eventLoop, WriteScheduler::new);
    }
  }

  /**
   * Defers the wake-ups of the event loops that a broadcast's writes make ready until the batch
   * closes: a broadcast wakes each event loop once, after it queued to every receiver, instead of
   * waking a loop that drains faster than the broadcast fills it, again and again. Passed
   * explicitly (no thread-local: its lookup cost more than the write it saved).
   *
   * <pre>{@code
   * try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
   *   for (HubConnectionContext c : members) batch.write(c, message);
   * }
   * }</pre>
   */
  public static final class Batch implements AutoCloseable {
    private WriteScheduler first;
    private java.util.ArrayList<WriteScheduler> more;

    private Batch() {}

    public static Batch open() {
      return new Batch();
    }

    /** Writes {@code message} to {@code c}, waking its event loop when the batch closes. */
    public boolean write(HubConnectionContext c, SerializedHubMessage message) {
      return c instanceof BatchWriter w ? w.write(message, this) : c.write(message);
    }

    void defer(WriteScheduler s) {
      if (first == null || first == s) {
        first = s;
        return;
      }
      if (more == null) {
        more = new java.util.ArrayList<>(4);
      }
      for (int i = 0; i < more.size(); i++) {
        if (more.get(i) == s) {
          return;
        }
      }
      more.add(s);
    }

    @Override
    public void close() {
      if (first != null) {
        first.wake();
        first = null;
      }
      if (more != null) {
        for (int i = 0; i < more.size(); i++) {
          more.get(i).wake();
        }
        more = null;
      }
    }
  }

  /**
   * Hands a broadcast's delivery to this loop ({@link Fanout}), in order with the drains and the
   * writes queued here: until it ran, {@link #broadcastsPending()} is true.
   */
  void hand(Runnable delivery, Batch batch) {
    broadcastsPending.incrementAndGet();
    ready.offer(delivery);
    if (batch != null) {
      batch.defer(this);
    } else {
      wake();
    }
  }

  /** Event loop: a delivery handed by {@link #hand} ran (or was abandoned). */
  void delivered() {
    broadcastsPending.decrementAndGet();
  }

  /**
   * Whether a broadcast handed to this loop has not been delivered yet, or a write that follows one
   * has not run yet: a write to one of the loop's connections then follows them ({@link #follow}),
   * so that it cannot overtake them.
   */
  public boolean broadcastsPending() {
    return broadcastsPending.get() != 0;
  }

  /**
   * Runs {@code write} on this loop behind every broadcast handed before: a write that must not
   * overtake them (they write to sockets directly, not through the connection's queue).
   */
  public void follow(Runnable write, Batch batch) {
    // Counted as pending too until it ran: a write after it must not overtake it either.
    broadcastsPending.incrementAndGet();
    ready.offer(
        (Runnable)
            () -> {
              try {
                write.run();
              } finally {
                broadcastsPending.decrementAndGet();
              }
            });
    if (batch != null) {
      batch.defer(this);
    } else {
      wake();
    }
  }

  /** Queues a drain of {@code connection} on this event loop (called once per pending drain). */
  public void schedule(Drainable connection, Batch batch) {
    ready.offer(connection);
    if (batch != null) {
      batch.defer(this);
    } else {
      wake();
    }
  }

  public void schedule(Drainable connection) {
    schedule(connection, null);
  }

  private void wake() {
    if (!wakeupPending.get() && wakeupPending.compareAndSet(false, true)) {
      try {
        eventLoop.execute(this);
      } catch (RejectedExecutionException e) {
        // The server is stopping: its connections are being closed; nothing left to write.
        wakeupPending.set(false);
        abandon();
      }
    }
  }

  @Override
  public void run() {
    // Cleared before draining: whatever is offered from now on wakes the loop again.
    wakeupPending.set(false);
    // Bounded, so that a connection made ready again and again cannot keep the loop from reading.
    for (int i = 0; i < MAX_DRAINS_PER_TASK; i++) {
      Object e = ready.poll();
      if (e == null) {
        return;
      }
      if (e instanceof Drainable c) {
        c.drain();
      } else {
        ((Runnable) e).run();
      }
    }
    if (!ready.isEmpty() && wakeupPending.compareAndSet(false, true)) {
      try {
        eventLoop.execute(this);
      } catch (RejectedExecutionException stopping) {
        wakeupPending.set(false);
        abandon();
      }
    }
  }

  /** The loop is gone (the server stops): deliveries handed here give their buffers back. */
  private void abandon() {
    for (Object e = ready.poll(); e != null; e = ready.poll()) {
      if (e instanceof Fanout.Delivery d) {
        d.abandon();
      } else if (!(e instanceof Drainable) && e instanceof Runnable r) {
        r.run(); // a follower (a write, a close): here, as onExecutor runs a task the loop refused
      }
    }
  }
}
