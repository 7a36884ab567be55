package org.jvmchat.hub.internal.connection;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.jvmchat.hub.internal.transport.LoopFlush;
import org.jvmchat.hub.internal.transport.SharedFrames;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.SerializedHubMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broadcast to a group, delivered per event loop: the members are kept partitioned by the event
 * loop that owns them ({@link Members}); a send serializes the message once per protocol present
 * and frames it once into a shared WebSocket frame ({@link SharedFrames}), then hands one delivery
 * to each event loop that has members, through its {@link WriteScheduler}'s ready queue (the
 * sender's own loop's too: that queue orders it with the drains and with the writes that follow
 * it). On its loop, each member either takes a retained duplicate of the shared frame, written
 * without a flush, when nothing of it is queued, its socket is writable and it keeps no replay
 * buffer ({@link Member#writeOnLoop}); or the message goes through its bounded outbound queue as
 * any other write. The loop flushes each socket written to once, behind its current batch ({@link
 * LoopFlush}).
 */
public final class Fanout {
  private static final Logger log = LoggerFactory.getLogger(Fanout.class);

  private Fanout() {}

  /** A connection that can be reached on its event loop. */
  public interface Member extends HubConnectionContext {
    /** The write scheduler of the connection's event loop; null before a transport attached. */
    WriteScheduler writeScheduler();

    /**
     * On the connection's event loop: writes {@code message}, by a retained duplicate of its shared
     * frame when the connection can take it so, else through the outbound queue (its bound, order,
     * replay buffer and overflow as for any write), the wake-up of the loop left to {@code batch}.
     *
     * @return false when the connection is closed (or was just closed as a slow consumer)
     */
    boolean writeOnLoop(
        SerializedHubMessage message,
        SharedFrames frames,
        LoopFlush flush,
        WriteScheduler.Batch batch);
  }

  /**
   * The members of one group, partitioned by event loop, immutable: a change makes a new one (copy
   * on write), so a delivery walks a fixed snapshot. Connections that are not {@link Member}s (a
   * decorating lifetime manager's wrappers) or have no event loop yet are kept apart and written
   * from the sender's thread, as before.
   */
  public static final class Members {
    public static final Members EMPTY =
        new Members(
            new WriteScheduler[0],
            new Member[0][],
            new HubConnectionContext[0],
            new HubProtocol[0]);

    private final WriteScheduler[] loops;
    private final Member[][] byLoop;
    private final HubConnectionContext[] others;
    private final HubProtocol[] protocols; // of the loop members, each once

    private Members(
        WriteScheduler[] loops,
        Member[][] byLoop,
        HubConnectionContext[] others,
        HubProtocol[] protocols) {
      this.loops = loops;
      this.byLoop = byLoop;
      this.others = others;
      this.protocols = protocols;
    }

    public boolean isEmpty() {
      return loops.length == 0 && others.length == 0;
    }

    public boolean contains(HubConnectionContext c) {
      for (Member[] row : byLoop) {
        if (indexOf(row, c) >= 0) {
          return true;
        }
      }
      return indexOf(others, c) >= 0;
    }

    /** These members and {@code c} (this when it is a member already). */
    public Members with(HubConnectionContext c) {
      if (contains(c)) {
        return this;
      }
      WriteScheduler s = c instanceof Member m ? m.writeScheduler() : null;
      HubProtocol p = c.protocol();
      if (s == null || p == null) {
        return new Members(loops, byLoop, append(others, c), protocols);
      }
      Member m = (Member) c;
      HubProtocol[] ps = indexOf(protocols, p) >= 0 ? protocols : append(protocols, p);
      for (int i = 0; i < loops.length; i++) {
        if (loops[i] == s) {
          Member[][] rows = byLoop.clone();
          rows[i] = append(rows[i], m);
          return new Members(loops, rows, others, ps);
        }
      }
      Member[][] rows = Arrays.copyOf(byLoop, byLoop.length + 1);
      rows[byLoop.length] = new Member[] {m};
      return new Members(append(loops, s), rows, others, ps);
    }

    /** These members without {@code c} (this when it is not one). */
    public Members without(HubConnectionContext c) {
      int o = indexOf(others, c);
      if (o >= 0) {
        return new Members(loops, byLoop, remove(others, o), protocols);
      }
      for (int i = 0; i < byLoop.length; i++) {
        int at = indexOf(byLoop[i], c);
        if (at < 0) {
          continue;
        }
        Member[] row = remove(byLoop[i], at);
        WriteScheduler[] ls = loops;
        Member[][] rows;
        if (row.length == 0) {
          ls = remove(loops, i);
          rows = remove(byLoop, i);
        } else {
          rows = byLoop.clone();
          rows[i] = row;
        }
        return new Members(ls, rows, others, protocolsOf(rows));
      }
      return this;
    }

    /** Every member, in no particular order. */
    public void forEach(Consumer<HubConnectionContext> action) {
      for (Member[] row : byLoop) {
        for (Member m : row) {
          action.accept(m);
        }
      }
      for (HubConnectionContext c : others) {
        action.accept(c);
      }
    }

    public List<HubConnectionContext> toList() {
      java.util.ArrayList<HubConnectionContext> list = new java.util.ArrayList<>();
      forEach(list::add);
      return List.copyOf(list);
    }

    private static HubProtocol[] protocolsOf(Member[][] rows) {
      HubProtocol[] ps = new HubProtocol[0];
      for (Member[] row : rows) {
        for (Member m : row) {
          HubProtocol p = m.protocol();
          if (p != null && indexOf(ps, p) < 0) {
            ps = append(ps, p);
          }
        }
      }
      return ps;
    }
  }

  /**
   * Sends {@code message} to every member not in {@code excluded} (may be null): one delivery per
   * event loop that has members, handed to its {@link WriteScheduler} (the loop woken when {@code
   * batch} closes); the members kept apart written through {@code batch} on this thread.
   *
   * @throws RuntimeException when {@code message} cannot be serialized (nothing was sent then)
   */
  public static void send(
      String hubName,
      Members members,
      SerializedHubMessage message,
      Collection<String> excluded,
      WriteScheduler.Batch batch) {
    if (excluded != null && excluded.isEmpty()) {
      excluded = null; // no per-member look-up (and no touch of each member's id) for nothing
    }
    if (members.loops.length > 0) {
      SharedFrames frames = SharedFrames.of(message, members.protocols);
      try {
        for (int i = 0; i < members.loops.length; i++) {
          WriteScheduler s = members.loops[i];
          frames.retain(1);
          // Through the loop's ready queue, even the sender's own loop: in order with the drains
          // and the writes that follow a pending broadcast (WriteScheduler.follow).
          s.hand(new Delivery(hubName, s, members.byLoop[i], message, frames, excluded), batch);
        }
      } finally {
        frames.release();
      }
    }
    for (HubConnectionContext c : members.others) {
      if (excluded == null || !excluded.contains(c.connectionId())) {
        deliver(hubName, c, message, batch);
      }
    }
  }

  /** One write from the sender's thread, as every send did before {@link Fanout}. */
  static void deliver(
      String hubName,
      HubConnectionContext c,
      SerializedHubMessage message,
      WriteScheduler.Batch batch) {
    if (message.message() != null) {
      // Serialized here: a failure is the sender's (e.g. an argument that cannot be serialized)
      // and reaches the sender.
      batch.write(c, message);
      return;
    }
    try {
      batch.write(c, message);
    } catch (RuntimeException e) {
      // Bytes from another instance, e.g. without this connection's protocol: one receiver
      // failing never keeps the message from the others.
      log.warn(
          "Hub {}: could not deliver to connection '{}': {}",
          hubName,
          c.connectionId(),
          e.getMessage());
    }
  }

  /** A broadcast's members on one event loop. */
  static final class Delivery implements Runnable {
    private final String hubName;
    private final WriteScheduler scheduler;
    private final Member[] members;
    private final SerializedHubMessage message;
    private final SharedFrames frames;
    private final Collection<String> excluded;

    Delivery(
        String hubName,
        WriteScheduler scheduler,
        Member[] members,
        SerializedHubMessage message,
        SharedFrames frames,
        Collection<String> excluded) {
      this.hubName = hubName;
      this.scheduler = scheduler;
      this.members = members;
      this.message = message;
      this.frames = frames;
      this.excluded = excluded;
    }

    @Override
    public void run() {
      try {
        deliver();
      } finally {
        scheduler.delivered();
        frames.release();
      }
    }

    /** The loop stopped before it ran this. */
    void abandon() {
      scheduler.delivered();
      frames.release();
    }

    private void deliver() {
      LoopFlush flush = scheduler.flush();
      try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
        for (Member m : members) {
          if (excluded != null && excluded.contains(m.connectionId())) {
            continue;
          }
          try {
            m.writeOnLoop(message, frames, flush, batch);
          } catch (RuntimeException e) {
            // Serialized before the hand-over; what fails here is this receiver's alone.
            log.warn(
                "Hub {}: could not deliver to connection '{}': {}",
                hubName,
                m.connectionId(),
                e.getMessage());
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- arrays

  private static <T> int indexOf(T[] a, Object x) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static <T> T[] append(T[] a, T x) {
    T[] b = Arrays.copyOf(a, a.length + 1);
    b[a.length] = x;
    return b;
  }

  private static <T> T[] remove(T[] a, int i) {
    T[] b = Arrays.copyOf(a, a.length - 1);
    System.arraycopy(a, i + 1, b, i, a.length - i - 1);
    return b;
  }
}
