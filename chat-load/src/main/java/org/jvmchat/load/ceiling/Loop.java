package org.jvmchat.load.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one event loop keeps: its index (the slot of every {@link Room} it owns), its connections,
 * and the connections it wrote to since its last flush. Writes never flush; the first write after a
 * flush queues one flush task on the loop, which therefore runs behind the reads and tasks already
 * queued (the rest of the current batch) and flushes every connection written to once. A flush that
 * finds broadcasts handed to this loop and not delivered yet queues itself again behind them (at
 * most {@link #MAX_DEFERRALS} times in a row), so that they share its {@code writev} per socket, as
 * the chat server's {@code LoopFlush} does: without it the chat server coalesced more and beat the
 * ceiling's MessagePack fan-out (2026-12-07).
 *
 * <p>One scheduled task per loop ({@link #sweep}) replaces a per-connection idle timer: every
 * {@code period} it advances the loop's tick and walks its connections, pinging each that nothing
 * was written to for the keep-alive interval and closing each that nothing was read from for the
 * client timeout. A connection holds only the ticks of its last read and write.
 */
final class Loop {
  /** How often a flush waits for broadcasts that already reached the loop, at most, in a row. */
  static final int MAX_DEFERRALS = 4;

  private final int index;
  // Broadcasts handed to this loop by another one and not delivered yet (any thread).
  private final AtomicInteger handed = new AtomicInteger();
  private int deferrals;
  private final EventExecutor executor;
  private final ArrayList<Member> written = new ArrayList<>();
  private final Runnable flush = this::flush;
  private final ArrayList<Member> connections = new ArrayList<>();
  private final int keepAliveTicks;
  private final int timeoutTicks;
  private int tick;

  Loop(int index, EventExecutor executor, Timeouts timeouts) {
    this.index = index;
    this.executor = executor;
    long period = timeouts.sweepPeriod().toNanos();
    this.keepAliveTicks = ticks(timeouts.keepAlive().toNanos(), period);
    this.timeoutTicks = ticks(timeouts.clientTimeout().toNanos(), period);
    executor.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
  }

  private static int ticks(long interval, long period) {
    return (int) Math.max(1, (interval + period - 1) / period);
  }

  int index() {
    return index;
  }

  EventExecutor executor() {
    return executor;
  }

  /** The sweep count so far: what a connection's last read and write are stamped with. */
  int tick() {
    return tick;
  }

  /** On this loop: {@code m} becomes one of its connections. */
  void add(Member m) {
    m.lastRead = tick;
    m.lastWrite = tick;
    m.index = connections.size();
    connections.add(m);
  }

  /** On this loop: {@code m} is no longer one of its connections (no-op if it was not). */
  void remove(Member m) {
    int i = m.index;
    if (i < 0) {
      return;
    }
    Member last = connections.remove(connections.size() - 1);
    if (last != m) {
      connections.set(i, last);
      last.index = i;
    }
    m.index = -1;
  }

  /** On this loop: {@code m} was written to; it is flushed by the pending flush task. */
  void wrote(Member m) {
    m.lastWrite = tick;
    if (!m.flushPending) {
      m.flushPending = true;
      written.add(m);
      if (written.size() == 1) {
        executor.execute(flush);
      }
    }
  }

  /**
   * On this loop: writes a retained duplicate of the pre-framed {@code json} frame to each of the
   * slot's JSON members and of {@code binary} to each MessagePack member (a null buffer: that
   * protocol had no member when the broadcast was serialized, so a member that joined since is
   * skipped). The caller keeps its references.
   */
  void deliver(Room.Slot slot, ByteBuf json, ByteBuf binary) {
    if (json != null) {
      for (Member m : slot.json) {
        ChannelHandlerContext w = m.wire();
        w.write(json.retainedDuplicate(), w.voidPromise());
        wrote(m);
      }
    }
    if (binary != null) {
      for (Member m : slot.binary) {
        ChannelHandlerContext w = m.wire();
        w.write(binary.retainedDuplicate(), w.voidPromise());
        wrote(m);
      }
    }
  }

  /**
   * Any thread: hands {@code delivery} (a broadcast's delivery to this loop's members) to this
   * loop; until it ran, a flush here waits behind it ({@link #MAX_DEFERRALS}).
   */
  void hand(Runnable delivery) {
    handed.incrementAndGet();
    executor.execute(
        () -> {
          try {
            delivery.run();
          } finally {
            handed.decrementAndGet();
          }
        });
  }

  private void flush() {
    if (deferrals < MAX_DEFERRALS && handed.get() != 0) {
      deferrals++;
      executor.execute(flush); // behind the deliveries already handed here
      return;
    }
    deferrals = 0;
    // By index: a flush that closes a channel may lead to a write (an error frame) on this loop.
    for (int i = 0; i < written.size(); i++) {
      Member m = written.get(i);
      m.flushPending = false;
      m.wire().flush();
    }
    written.clear();
  }

  /**
   * Closes the connections silent for the client timeout and pings those not written to for the
   * keep-alive interval. From the end: a connection that leaves during the walk moves the last one,
   * already seen, into its place.
   */
  private void sweep() {
    tick++;
    for (int i = connections.size() - 1; i >= 0; i--) {
      if (i >= connections.size()) {
        continue;
      }
      Member m = connections.get(i);
      if (tick - m.lastRead >= timeoutTicks) {
        remove(m);
        m.wire().close();
      } else if (tick - m.lastWrite >= keepAliveTicks) {
        m.lastWrite = tick;
        m.keepAlive();
      }
    }
  }
}
