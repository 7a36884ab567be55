package org.jvmchat.hub.internal.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.function.LongFunction;
import org.jvmchat.hub.internal.transport.Outbound;
import org.jvmchat.protocol.internal.MessageBuffer;

/**
 * The bounded outbound queue of one connection, with the stateful-reconnect replay buffer and the
 * Ack gate in front of it.
 *
 * <p><b>Threads.</b> This is the one part of a connection that other threads write, and the only
 * cross-thread hand-off on the write path. Producers (hub methods, broadcasts, the heartbeat) call
 * {@link #offer} from any thread: a lock-free multi-producer single-consumer linked queue (D.
 * Vyukov's: one atomic swap of the tail per message, a small node per message, no lock, no array
 * per connection while idle), an atomic byte count that bounds it, and an atomic drain-pending flag
 * so that a connection is put on its event loop's ready queue once per drain, not once per message
 * ({@link #claimDrain()}). Everything else — taking messages out, the replay buffer, messages held
 * back until the client acknowledges, the hold from the handshake until the connection's {@code
 * onConnected} completed ({@link #hold()}), the sent count — belongs to the connection's executor
 * (the single consumer) and is plain fields. Producers read two values the executor publishes after
 * each drain or Ack, only to size and name an overflow: the transport's pending bytes and the
 * replay buffer's unacknowledged bytes.
 *
 * <p>A producer offers first and claims the drain second; the drain releases its claim before it
 * polls. So a message is always taken by a drain that was scheduled after it was linked in, or by
 * the drain that was pending when it was.
 */
public final class OutboundQueue implements Outbound {
  /** Why a message did not fit. */
  public enum Overflow {
    /** Stateful, socket down: more unacknowledged bytes than the replay buffer holds. */
    WHILE_DISCONNECTED,
    /** The queue is full because the client does not acknowledge (the replay gate is closed). */
    UNACKNOWLEDGED,
    /** The queue is full because the client does not read. */
    SLOW_READER,
    /** An earlier offer overflowed: the connection is being closed and takes no more messages. */
    REFUSED
  }

  /** A message that is not numbered for stateful reconnect (pings, acks, closes, handshake). */
  private record Untracked(byte[] bytes) {}

  private static final class Node {
    Object value;
    volatile Node next;

    Node(Object value) {
      this.value = value;
    }
  }

  private static final VarHandle TAIL;
  private static final VarHandle QUEUED_BYTES;
  private static final VarHandle DRAIN_PENDING;
  private static final VarHandle OVERFLOWED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(OutboundQueue.class, "tail", Node.class);
      QUEUED_BYTES = l.findVarHandle(OutboundQueue.class, "queuedBytes", long.class);
      DRAIN_PENDING = l.findVarHandle(OutboundQueue.class, "drainPending", boolean.class);
      OVERFLOWED = l.findVarHandle(OutboundQueue.class, "overflowed", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile boolean binary;
  private final long outboundLimit;
  private final long replayLimit;

  // Shared with producers (VarHandle or volatile access only).
  @SuppressWarnings("unused") // through TAIL
  private volatile Node tail;

  @SuppressWarnings("unused") // through QUEUED_BYTES
  private volatile long queuedBytes;

  private volatile boolean drainPending;
  private volatile boolean overflowed;
  private volatile boolean stateful;
  private volatile long transportPendingBytes;
  private volatile long unacknowledgedBytes;
  private volatile boolean awaitingAckPublished; // awaitingAck, as published to producers

  // The executor's (the consumer's) own.
  private Node head;
  private ArrayDeque<Object> front; // before the linked queue: a reconnect's Sequence and replay
  private MessageBuffer<byte[]> replay; // its outbound side; the handler uses its inbound side
  private boolean awaitingAck;
  private boolean held; // hold() until release(): nothing is taken
  private long takenBytes;
  private long lastCountedId;
  private int sentSinceReport;

  public OutboundQueue(long outboundLimit, long replayLimit) {
    this.outboundLimit = outboundLimit;
    this.replayLimit = replayLimit;
    Node stub = new Node(null);
    this.head = stub;
    this.tail = stub;
  }

  // ------------------------------------------------------------------ any thread

  /**
   * Queues a message unless it does not fit. {@code trackable} messages (hub invocation messages)
   * are numbered for stateful reconnect; {@code force} skips the limit (the Close message of a
   * connection being closed); {@code socketDown} tells that a stateful connection waits for its
   * reconnect, when only the replay buffer's size bounds what may wait.
   *
   * @return null when queued, else why not: an overflow is reported once, later offers get {@link
   *     Overflow#REFUSED}
   */
  public Overflow offer(byte[] bytes, boolean trackable, boolean force, boolean socketDown) {
    if (overflowed && !force) {
      return Overflow.REFUSED;
    }
    long queued = (long) QUEUED_BYTES.getAndAdd(this, (long) bytes.length) + bytes.length;
    Overflow overflow = null;
    if (stateful && trackable && socketDown && unacknowledgedBytes + queued > replayLimit) {
      overflow = Overflow.WHILE_DISCONNECTED;
    } else if (!force && queued + transportPendingBytes > outboundLimit) {
      overflow = stateful && awaitingAckPublished ? Overflow.UNACKNOWLEDGED : Overflow.SLOW_READER;
    }
    if (overflow != null) {
      QUEUED_BYTES.getAndAdd(this, (long) -bytes.length);
      return OVERFLOWED.compareAndSet(this, false, true) ? overflow : Overflow.REFUSED;
    }
    Node n = new Node(trackable ? bytes : new Untracked(bytes));
    Node previous = (Node) TAIL.getAndSet(this, n);
    previous.next = n;
    return null;
  }

  /** Bytes offered and not yet taken by a drain. */
  public long queuedBytes() {
    return queuedBytes;
  }

  /** Whether an offer overflowed: the connection is being closed and takes no more messages. */
  public boolean overflowed() {
    return overflowed;
  }

  /**
   * Claims the drain after an offer: true when no drain was pending, and the caller must schedule
   * one.
   */
  public boolean claimDrain() {
    return !drainPending && DRAIN_PENDING.compareAndSet(this, false, true);
  }

  // ------------------------------------------------------------------ the executor

  /**
   * Stateful reconnect was agreed: trackable messages are numbered and kept in {@code buffer} until
   * acknowledged.
   */
  public void enableReplay(MessageBuffer<byte[]> buffer) {
    replay = buffer;
    stateful = true;
  }

  /**
   * The format of what is queued, set on the executor when the handshake chose a protocol
   * (volatile: a host's socket may ask from its own thread).
   */
  public void binary(boolean binary) {
    this.binary = binary;
  }

  @Override
  public boolean binary() {
    return binary;
  }

  public boolean replayEnabled() {
    return replay != null;
  }

  /**
   * Nothing is taken out ({@link #poll()} answers null) until {@link #release()}; what is offered
   * meanwhile waits in order and counts against the bound as usual. The connection holds its output
   * from the handshake answer until its {@code onConnected} completed, so that a client that saw
   * its connection start is already in the groups {@code onConnected} put it in.
   */
  public void hold() {
    held = true;
  }

  /** Ends {@link #hold()}; true when messages wait (a drain should be scheduled). */
  public boolean release() {
    if (!held) {
      return false;
    }
    held = false;
    return hasQueued();
  }

  /** A drain begins: writes from now on schedule another one. */
  public void drainStarted() {
    drainPending = false;
  }

  /**
   * The next message, or null when nothing is queued, the queue is held ({@link #hold()}) or
   * (stateful reconnect) the next one would take the unacknowledged bytes past the replay buffer's
   * size: it then waits for the client's Ack.
   */
  @Override
  public byte[] poll() {
    if (held) {
      return null;
    }
    boolean fromFront = front != null && !front.isEmpty();
    Node next = null;
    Object message;
    if (fromFront) {
      message = front.peek();
    } else {
      next = head.next;
      if (next == null) {
        return null;
      }
      message = next.value;
    }
    byte[] bytes;
    if (message instanceof Untracked u) {
      bytes = u.bytes();
    } else {
      bytes = (byte[]) message;
      long id = 0;
      if (replay != null) {
        if (!replay.hasRoomFor(bytes)) {
          awaitingAck = true;
          return null;
        }
        id = replay.add(bytes);
      }
      if (id == 0 || id > lastCountedId) { // a replayed message was counted when first sent
        lastCountedId = id;
        sentSinceReport++;
      }
    }
    if (fromFront) {
      front.poll();
    } else {
      next.value = null;
      head = next;
    }
    awaitingAck = false;
    takenBytes += bytes.length;
    return bytes;
  }

  /** A drain ended: publishes what producers size an overflow by. */
  public void drainFinished(long transportPending) {
    if (takenBytes != 0) {
      QUEUED_BYTES.getAndAdd(this, -takenBytes);
      takenBytes = 0;
    }
    if (transportPendingBytes != transportPending) {
      transportPendingBytes = transportPending;
    }
    publishUnacknowledged();
  }

  /**
   * Whether a message waits (taken by the next drain, or held back until an Ack), or the queue is
   * held: either way nothing may be written around it.
   */
  public boolean hasQueued() {
    return held || (front != null && !front.isEmpty()) || head.next != null;
  }

  /** Whether the head of the queue waits for the client's Ack. */
  public boolean awaitingAck() {
    return awaitingAck;
  }

  /** The client acknowledged up to {@code sequenceId}; true when messages wait to be sent. */
  public boolean ack(long sequenceId) {
    if (replay == null) {
      return false;
    }
    replay.ack(sequenceId);
    awaitingAck = false; // until the next drain finds the head still too large
    publishUnacknowledged();
    return hasQueued();
  }

  private void publishUnacknowledged() {
    if (replay == null) {
      return;
    }
    if (unacknowledgedBytes != replay.bufferedBytes()) {
      unacknowledgedBytes = replay.bufferedBytes();
    }
    if (awaitingAckPublished != awaitingAck) {
      awaitingAckPublished = awaitingAck;
    }
  }

  /**
   * Stateful reconnect: the queue becomes Sequence (built by {@code sequence} from the id it
   * announces), then every message written but not acknowledged (numbered again as they are
   * replayed), then every trackable message never written; pings and acks queued for the old socket
   * go.
   */
  public void rewind(LongFunction<byte[]> sequence) {
    ArrayDeque<Object> unsent = new ArrayDeque<>();
    long dropped = takenBytes;
    takenBytes = 0;
    if (front != null) {
      unsent.addAll(front);
      front.clear();
    }
    for (Node n = head.next; n != null; n = head.next) {
      unsent.add(n.value);
      n.value = null;
      head = n;
    }
    ArrayDeque<Object> rebuilt = new ArrayDeque<>(unsent.size() + 16);
    byte[] sequenceMessage = sequence.apply(replay.sequenceId());
    rebuilt.add(new Untracked(sequenceMessage));
    long added = sequenceMessage.length;
    for (byte[] m : replay.takeUnacknowledged()) {
      rebuilt.add(m);
      added += m.length;
    }
    for (Object m : unsent) {
      if (m instanceof Untracked u) {
        dropped += u.bytes().length;
      } else {
        rebuilt.add(m);
      }
    }
    front = rebuilt;
    awaitingAck = false;
    QUEUED_BYTES.getAndAdd(this, added - dropped);
    publishUnacknowledged();
  }

  /** Drops everything queued (the connection is closed for overflowing). */
  public void clear() {
    long dropped = takenBytes;
    takenBytes = 0;
    if (front != null) {
      for (Object m : front) {
        dropped += length(m);
      }
      front = null;
    }
    for (Node n = head.next; n != null; n = head.next) {
      dropped += length(n.value);
      n.value = null;
      head = n;
    }
    QUEUED_BYTES.getAndAdd(this, -dropped);
  }

  private static int length(Object m) {
    return m instanceof Untracked u ? u.bytes().length : ((byte[]) m).length;
  }

  /**
   * Executor: a hub message went out around the queue (a broadcast's shared frame written while
   * nothing was queued and no replay buffer kept): counted like one taken from it.
   */
  public void countSent() {
    sentSinceReport++;
  }

  /**
   * Executor: publishes the transport's pending bytes outside a drain (a broadcast found the socket
   * not writable and queues from now on), so the bound counts what the socket still holds.
   */
  public void transportPending(long transportPending) {
    if (transportPendingBytes != transportPending) {
      transportPendingBytes = transportPending;
    }
  }

  /** Hub messages sent since the last call (the heartbeat reports them about once a second). */
  public int takeSentCount() {
    int n = sentSinceReport;
    sentSinceReport = 0;
    return n;
  }
}
