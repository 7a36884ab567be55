package org.jvmchat.client.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.internal.MessageBuffer;

/**
 * The client's stateful-reconnect bookkeeping: the shared {@link MessageBuffer} (numbering, Acks,
 * Sequence, duplicate drop) plus the queue of sends waiting for Acks to free space. A send that
 * does not fit (see {@link MessageBuffer#hasRoomFor}) waits with its future pending and is admitted
 * in order as Acks free space: the application's {@code send}/{@code invoke} futures, and upload
 * streams pulling their next item, are throttled by the server's Acks.
 *
 * <p>Thread-safe: every method holds this object's monitor, which guards the shared buffer (that is
 * not synchronized itself) and the waiting queue. No future is completed while it is held.
 */
final class StatefulBuffer {
  /** A message allowed onto the wire, with its id, and the future of the application's send. */
  record Admitted(long id, byte[] bytes, CompletableFuture<Void> done) {}

  private record Waiting(byte[] bytes, CompletableFuture<Void> done) {}

  private final MessageBuffer<byte[]> buffer;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

  StatefulBuffer(long limit) {
    this.buffer = MessageBuffer.ofBytes(limit);
  }

  /**
   * Accepts an outgoing trackable message: returns it numbered when it may be written now, or null
   * when it waits for Acks (it is then returned later by {@link #ack}).
   */
  synchronized Admitted admit(byte[] bytes, CompletableFuture<Void> done) {
    if (!waiting.isEmpty() || !buffer.hasRoomFor(bytes)) {
      waiting.add(new Waiting(bytes, done));
      return null;
    }
    return new Admitted(buffer.add(bytes), bytes, done);
  }

  /** The server processed everything up to {@code sequenceId}: frees it; returns newly admitted. */
  synchronized List<Admitted> ack(long sequenceId) {
    buffer.ack(sequenceId);
    List<Admitted> admitted = new ArrayList<>();
    while (!waiting.isEmpty() && buffer.hasRoomFor(waiting.peek().bytes())) {
      Waiting w = waiting.poll();
      admitted.add(new Admitted(buffer.add(w.bytes()), w.bytes(), w.done()));
    }
    return admitted;
  }

  /** After a reconnect: the Sequence id to send first (oldest unacknowledged, or next id). */
  synchronized long sequenceId() {
    return buffer.sequenceId();
  }

  /** After a reconnect: every unacknowledged message, oldest first, to re-send with its id. */
  synchronized List<MessageBuffer.Entry<byte[]>> unacknowledged() {
    return buffer.unacknowledged();
  }

  synchronized long bufferedBytes() {
    return buffer.bufferedBytes();
  }

  /** The connection is gone: removes the sends still waiting for room, for the caller to fail. */
  synchronized List<CompletableFuture<Void>> drainWaiting() {
    List<CompletableFuture<Void>> futures = new ArrayList<>(waiting.size());
    for (Waiting w : waiting) {
      futures.add(w.done());
    }
    waiting.clear();
    return futures;
  }

  // ---------------------------------------------------------------- inbound

  /** The socket dropped: inbound messages are ignored until the server's Sequence. */
  synchronized void disconnected() {
    buffer.disconnected();
  }

  /** Whether an inbound trackable message should be dispatched (false: duplicate or gated). */
  synchronized boolean shouldProcess() {
    return buffer.shouldProcess();
  }

  /**
   * The server's Sequence.
   *
   * @throws HubProtocolException when it claims messages this client never received
   */
  synchronized void sequence(long sequenceId) {
    buffer.sequence(sequenceId);
  }

  /** The id to acknowledge if something new was processed since the last call, else -1. */
  synchronized long takeAck() {
    return buffer.takeAck();
  }
}
