package org.jvmchat.client.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.protocol.HubProtocolException;

/**
 * The bookkeeping of stateful reconnect (SignalR's {@code MessageBuffer}), without any I/O: the
 * caller sends what this class says to send.
 *
 * <ul>
 *   <li>Outgoing trackable messages (types 1–5) are numbered 1, 2, 3, … and kept until an Ack
 *       covers them. While more than {@code limit} bytes are unacknowledged, new messages wait
 *       (their futures stay pending) and are admitted in order as Acks free space.
 *   <li>Incoming trackable messages are numbered the same way; one whose id is not above the latest
 *       processed id is a duplicate and is dropped. After a reconnect everything is dropped until
 *       the peer's Sequence arrives.
 * </ul>
 *
 * Thread-safe (one lock).
 */
final class MessageBuffer {
  /** A numbered message and the future of the application's send. */
  record Entry(long id, byte[] bytes, CompletableFuture<Void> done) {}

  private final long limit;
  private final ArrayDeque<Entry> unacked = new ArrayDeque<>();
  private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
  private long unackedBytes;
  private long totalSent;

  private long nextExpectedId = 1;
  private long latestProcessedId;
  private boolean ackDue;
  private boolean waitingForSequence;

  MessageBuffer(long limit) {
    this.limit = limit;
  }

  /**
   * Accepts an outgoing trackable message. Returns the entry to send now, or {@code null} when it
   * must wait for Acks (it is then returned later by {@link #ack}).
   */
  synchronized Entry admit(byte[] bytes, CompletableFuture<Void> done) {
    if (!waiting.isEmpty() || unackedBytes >= limit) {
      waiting.add(new Entry(0, bytes, done));
      return null;
    }
    return number(bytes, done);
  }

  private Entry number(byte[] bytes, CompletableFuture<Void> done) {
    Entry e = new Entry(++totalSent, bytes, done);
    unacked.add(e);
    unackedBytes += bytes.length;
    return e;
  }

  /** The peer processed everything up to {@code sequenceId}: frees it, returns newly admitted. */
  synchronized List<Entry> ack(long sequenceId) {
    while (!unacked.isEmpty() && unacked.peek().id() <= sequenceId) {
      unackedBytes -= unacked.poll().bytes().length;
    }
    List<Entry> admitted = new ArrayList<>();
    while (!waiting.isEmpty() && unackedBytes < limit) {
      Entry w = waiting.poll();
      admitted.add(number(w.bytes(), w.done()));
    }
    return admitted;
  }

  /** After a reconnect: the Sequence id to send first (oldest unacked, or next id). */
  synchronized long sequenceId() {
    return unacked.isEmpty() ? totalSent + 1 : unacked.peek().id();
  }

  /** After a reconnect: every unacknowledged message, oldest first, to re-send. */
  synchronized List<Entry> replay() {
    return new ArrayList<>(unacked);
  }

  /** The transport dropped: ignore inbound messages until the peer's Sequence. */
  synchronized void disconnected() {
    waitingForSequence = true;
  }

  /** Whether an inbound trackable message should be dispatched (false: duplicate or gated). */
  synchronized boolean shouldProcess() {
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
   * The peer's Sequence: its next trackable message has this id.
   *
   * @throws HubProtocolException when it claims messages this side never received
   */
  synchronized void sequence(long sequenceId) {
    if (sequenceId > nextExpectedId) {
      throw new HubProtocolException("Sequence ID greater than amount of messages we've received.");
    }
    nextExpectedId = sequenceId;
    waitingForSequence = false;
  }

  /** The id to acknowledge if something new was processed since the last call, else -1. */
  synchronized long takeAck() {
    if (!ackDue) {
      return -1;
    }
    ackDue = false;
    return latestProcessedId;
  }

  /** Fails waiting sends (the connection is gone). */
  synchronized List<Entry> drainWaiting() {
    List<Entry> w = new ArrayList<>(waiting);
    waiting.clear();
    return w;
  }

  synchronized long unackedBytes() {
    return unackedBytes;
  }
}
