package org.jvmchat.hub.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Stateful reconnect, sending side: every trackable message (types 1–5) sent is numbered from 1 and
 * kept until the peer acknowledges it. Not thread-safe: guarded by the connection's outbound lock.
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

  List<byte[]> unacknowledged() {
    List<byte[]> list = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      list.add(e.bytes());
    }
    return list;
  }
}
