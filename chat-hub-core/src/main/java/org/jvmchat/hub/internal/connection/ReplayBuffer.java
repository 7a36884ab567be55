package org.jvmchat.hub.internal.connection;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Stateful reconnect, sending side: every trackable message (types 1–5) written to the transport is
 * numbered from 1 and kept until the peer acknowledges it. Its size is bounded by the {@link
 * OutboundQueue}: a message that would take it past the configured buffer size waits in the queue
 * for an Ack. Not thread-safe: touched only on the connection's executor.
 */
final class ReplayBuffer {
  private record Entry(long id, byte[] bytes) {}

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long lastId;
  private long bytes;

  long add(byte[] message) {
    long id = ++lastId;
    entries.add(new Entry(id, message));
    bytes += message.length;
    return id;
  }

  /** Frees every message with an id up to {@code sequenceId}. */
  void ack(long sequenceId) {
    while (!entries.isEmpty() && entries.peek().id() <= sequenceId) {
      bytes -= entries.poll().bytes().length;
    }
  }

  long bufferedBytes() {
    return bytes;
  }

  /** The id a Sequence message announces: the oldest unacknowledged, or the next to be sent. */
  long sequenceId() {
    return entries.isEmpty() ? lastId + 1 : entries.peek().id();
  }

  /**
   * For a reconnect: removes and returns every unacknowledged message, oldest first, and rewinds
   * the numbering so that, added again as they are replayed, they get the same ids (the first one
   * the id that {@link #sequenceId()} announced).
   */
  List<byte[]> takeUnacknowledged() {
    List<byte[]> list = new ArrayList<>(entries.size());
    if (!entries.isEmpty()) {
      lastId = entries.peek().id() - 1;
    }
    for (Entry e : entries) {
      list.add(e.bytes());
    }
    entries.clear();
    bytes = 0;
    return list;
  }
}
