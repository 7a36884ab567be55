package org.jvmchat.load.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;

/**
 * What one event loop keeps for the broadcast path: its index (the slot of every {@link Room} it
 * owns) and the connections it wrote to since its last flush. Writes never flush; the first write
 * after a flush queues one flush task on the loop, which therefore runs behind the reads and tasks
 * already queued (the rest of the current batch) and flushes every connection written to once.
 */
final class Loop {
  private final int index;
  private final EventExecutor executor;
  private final ArrayList<Member> written = new ArrayList<>();
  private final Runnable flush = this::flush;

  Loop(int index, EventExecutor executor) {
    this.index = index;
    this.executor = executor;
  }

  int index() {
    return index;
  }

  EventExecutor executor() {
    return executor;
  }

  /** On this loop: {@code m} was written to; it is flushed by the pending flush task. */
  void wrote(Member m) {
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

  private void flush() {
    // By index: a flush that closes a channel may lead to a write (an error frame) on this loop.
    for (int i = 0; i < written.size(); i++) {
      Member m = written.get(i);
      m.flushPending = false;
      m.wire().flush();
    }
    written.clear();
  }
}
