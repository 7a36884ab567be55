package org.jvmchat.load.ceiling;

import java.util.concurrent.ConcurrentHashMap;

/** Room id to its {@link Room}; a room, once joined, stays (the ceiling keeps nothing else). */
final class Rooms {
  private final ConcurrentHashMap<String, Room> byId = new ConcurrentHashMap<>();
  private final int loops;

  Rooms(int loops) {
    this.loops = loops;
  }

  /** The room, made on first join. */
  Room room(String roomId) {
    return byId.computeIfAbsent(roomId, id -> new Room(loops));
  }

  /** The room, or null when nobody ever joined it. */
  Room get(String roomId) {
    return byId.get(roomId);
  }
}
