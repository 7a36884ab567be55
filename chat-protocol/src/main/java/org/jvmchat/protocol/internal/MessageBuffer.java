package org.jvmchat.protocol.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.jvmchat.protocol.HubProtocolException;

/**
 * The bookkeeping of stateful reconnect (SignalR's {@code MessageBuffer}), shared by client and
 * server and free of I/O: its owner sends what this class says to send.
 *
 * <p><b>Outgoing.</b> Every trackable message (types 1–5) written to the transport is {@linkplain
 * #add numbered} 1, 2, 3, … and kept until an {@linkplain #ack Ack} covers it. The owner asks
 * {@link #hasRoomFor} before adding: a message that would take the unacknowledged bytes past the
 * limit waits (in the owner's queue) for Acks; an empty buffer takes any one message, however
 * large, so a single oversize message cannot stall the connection. After a reconnect the owner
 * sends a Sequence carrying {@link #sequenceId()} and then re-sends every unacknowledged message
 * with its original id: either keeping them buffered ({@link #unacknowledged()}) or taking them out
 * and adding them again as they are written ({@link #takeUnacknowledged()}, which rewinds the
 * numbering so they get the same ids).
 *
 * <p><b>Incoming.</b> Trackable messages from the peer are numbered the same way; {@link
 * #shouldProcess()} drops one whose id is not above the latest processed id (a duplicate the peer
 * replayed) and, after {@link #disconnected()}, everything until the peer's {@link #sequence
 * Sequence}. {@link #takeAck()} says which id to acknowledge next.
 *
 * <p><b>Threading.</b> Not thread-safe and not synchronized: exactly one owner (an event loop, or
 * code holding the owner's lock) calls it.
 *
 * @param <T> the buffered message (for example its serialized {@code byte[]})
 */
public final class MessageBuffer<T> {
  /**
   * The error for a Sequence that claims messages this side never received (as ASP.NET words it).
   */
  public static final String SEQUENCE_AHEAD =
      "Sequence ID greater than amount of messages we've received.";

  /** A buffered outgoing message and its id. */
  public record Entry<T>(long id, T message) {}

  private final long limit;
  private final ToIntFunction<? super T> size;

  private final ArrayDeque<Entry<T>> unacked = new ArrayDeque<>();
  private long bufferedBytes;
  private long lastId;

  private long nextExpectedId = 1;
  private long latestProcessedId;
  private boolean ackDue;
  private boolean waitingForSequence;

  /**
   * @param limit the unacknowledged bytes above which further messages wait for Acks
   * @param size the size in bytes of a message
   */
  public MessageBuffer(long limit, ToIntFunction<? super T> size) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    this.limit = limit;
    this.size = size;
  }

  /** A buffer of serialized messages, sized by their length. */
  public static MessageBuffer<byte[]> ofBytes(long limit) {
    return new MessageBuffer<>(limit, b -> b.length);
  }

  // ---------------------------------------------------------------- outgoing

  /**
   * Whether {@code message} may be added now: the buffer is empty, or the unacknowledged bytes plus
   * the message stay within the limit.
   */
  public boolean hasRoomFor(T message) {
    return unacked.isEmpty() || bufferedBytes + size.applyAsInt(message) <= limit;
  }

  /** Numbers and keeps a trackable message about to be written; returns its id. */
  public long add(T message) {
    long id = ++lastId;
    unacked.add(new Entry<>(id, message));
    bufferedBytes += size.applyAsInt(message);
    return id;
  }

  /**
   * The peer processed every message up to {@code sequenceId}: frees them.
   *
   * @return whether anything was freed
   */
  public boolean ack(long sequenceId) {
    boolean freed = false;
    while (!unacked.isEmpty() && unacked.peek().id() <= sequenceId) {
      bufferedBytes -= size.applyAsInt(unacked.poll().message());
      freed = true;
    }
    return freed;
  }

  /** The id a Sequence message announces: the oldest unacknowledged, or the next to be sent. */
  public long sequenceId() {
    return unacked.isEmpty() ? lastId + 1 : unacked.peek().id();
  }

  /** Every unacknowledged message, oldest first; they stay buffered (replay with the same ids). */
  public List<Entry<T>> unacknowledged() {
    return new ArrayList<>(unacked);
  }

  /**
   * Removes and returns every unacknowledged message, oldest first, and rewinds the numbering so
   * that, {@linkplain #add added} again as they are replayed, they get the same ids (the first one
   * the id {@link #sequenceId()} announced).
   */
  public List<T> takeUnacknowledged() {
    List<T> list = new ArrayList<>(unacked.size());
    if (!unacked.isEmpty()) {
      lastId = unacked.peek().id() - 1;
    }
    for (Entry<T> e : unacked) {
      list.add(e.message());
    }
    unacked.clear();
    bufferedBytes = 0;
    return list;
  }

  /** The bytes written but not yet acknowledged. */
  public long bufferedBytes() {
    return bufferedBytes;
  }

  public long limit() {
    return limit;
  }

  // ---------------------------------------------------------------- incoming

  /** The transport dropped: inbound messages are ignored until the peer's Sequence. */
  public void disconnected() {
    waitingForSequence = true;
  }

  /**
   * Counts one inbound trackable message; whether to dispatch it (false: a duplicate the peer
   * replayed, or it arrived after a drop and before the peer's Sequence).
   */
  public boolean shouldProcess() {
    if (waitingForSequence) {
      return false;
    }
    long id = nextExpectedId++;
    if (id <= latestProcessedId) {
      return false;
    }
    latestProcessedId = id;
    ackDue = true;
    return true;
  }

  /**
   * The peer's Sequence: its next trackable message has this id. Opens the gate closed by {@link
   * #disconnected()}.
   *
   * @throws HubProtocolException ({@link #SEQUENCE_AHEAD}) when it claims messages this side never
   *     received; connection-fatal
   */
  public void sequence(long sequenceId) {
    if (sequenceId > nextExpectedId) {
      throw new HubProtocolException(SEQUENCE_AHEAD);
    }
    nextExpectedId = sequenceId;
    waitingForSequence = false;
  }

  /** The id to acknowledge if something was processed since the last call, else -1. */
  public long takeAck() {
    if (!ackDue) {
      return -1;
    }
    ackDue = false;
    return latestProcessedId;
  }
}
