package org.jvmchat.load.internal;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One sending connection: sends {@code SendMessage} (or the socket.io {@code send} event) as the
 * {@link Pacer} allows, with at most {@code window} invocations outstanding. Runs on the
 * connection's event loop; the counters other threads read are volatile.
 */
public final class Sender {
  /** Called on each completion of one of this sender's messages (echo records round trips). */
  @FunctionalInterface
  public interface CompletionHook {
    void completed(long sentAt, long now);
  }

  private final Conn conn;
  private final int senderIndex;
  private final String roomId;
  private final int window;
  private final int size;
  private final LongAdder errors;
  private final CompletionHook hook;
  private final long[] ringId;
  private final long[] ringSentAt;
  private final int mask;
  private Pacer pacer;
  private ScheduledFuture<?> tick;
  private long seq;
  private int outstanding;
  private volatile long sent;
  private volatile int outstandingSeen;
  private volatile boolean finished;

  public Sender(
      Conn conn,
      int senderIndex,
      String roomId,
      int window,
      int size,
      LongAdder errors,
      CompletionHook hook) {
    this.conn = conn;
    this.senderIndex = senderIndex;
    this.roomId = roomId;
    this.window = Math.max(1, window);
    this.size = size;
    this.errors = errors;
    this.hook = hook;
    int slots = Integer.highestOneBit(this.window * 4 - 1) << 1;
    this.ringId = new long[slots];
    this.ringSentAt = new long[slots];
    this.mask = slots - 1;
  }

  public int senderIndex() {
    return senderIndex;
  }

  /** Messages sent so far (the sequence numbers {@code 0 .. sent-1}). */
  public long sent() {
    return sent;
  }

  public int outstanding() {
    return outstandingSeen;
  }

  /** Whether it will send nothing more (the pacer's end passed). */
  public boolean finished() {
    return finished;
  }

  /** Starts sending on the connection's event loop. */
  public void start(Pacer p) {
    conn.channel()
        .eventLoop()
        .execute(
            () -> {
              this.pacer = p;
              long delay = Math.max(0, p.intended(0) - Clock.now());
              long periodMicros = p.fixedRate() ? 1_000 : 10_000;
              tick =
                  conn.channel()
                      .eventLoop()
                      .scheduleAtFixedRate(
                          this::pump, delay / 1000, periodMicros, TimeUnit.MICROSECONDS);
            });
  }

  /** Sends what is due; on the event loop. */
  void pump() {
    if (finished || pacer == null) {
      return;
    }
    long now = Clock.now();
    while (outstanding < window && pacer.due(seq, now)) {
      long id = conn.nextId();
      int slot = (int) (id & mask);
      if (ringId[slot] != 0) {
        break; // an old invocation still holds the slot: treat as a full window
      }
      long stamp = pacer.stamp(seq, now);
      conn.send(roomId, Content.encode(senderIndex, seq, stamp, size));
      ringId[slot] = id;
      ringSentAt[slot] = now;
      outstanding++;
      seq++;
    }
    sent = seq;
    outstandingSeen = outstanding;
    if (pacer.finished(seq, now)) {
      finished = true;
      if (tick != null) {
        tick.cancel(false);
      }
    }
  }

  /** A completion arrived; on the event loop. */
  public void onCompletion(long id, boolean error) {
    int slot = (int) (id & mask);
    if (id <= 0 || ringId[slot] != id) {
      return;
    }
    long now = Clock.now();
    ringId[slot] = 0;
    outstanding--;
    outstandingSeen = outstanding;
    if (error) {
      errors.increment();
    }
    if (hook != null) {
      hook.completed(ringSentAt[slot], now);
    }
    pump();
  }
}
