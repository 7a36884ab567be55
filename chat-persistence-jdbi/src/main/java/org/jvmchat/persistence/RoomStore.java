package org.jvmchat.persistence;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Rooms. Blocking: call off the event loop. */
public interface RoomStore {
  /** The order of {@link #visibleRooms(String)}: creation time, then id. */
  Comparator<Room> LIST_ORDER = Comparator.comparing(Room::createdAt).thenComparing(Room::id);

  /**
   * Creates a room; its creator becomes its first participant in the same transaction.
   *
   * @throws IllegalArgumentException when the name or the user id breaks a {@link ChatLimits limit}
   */
  Room createRoom(String name, boolean isPrivate, String createdBy);

  /** The room with this id, or empty when there is none (also for ids that are not well formed). */
  Optional<Room> findRoom(String roomId);

  /**
   * The rooms {@code userId} may see: every public room and the private rooms the user takes part
   * in, oldest first.
   */
  List<Room> visibleRooms(String userId);

  /**
   * One page of {@link #visibleRooms(String)}: at most {@code limit} of those rooms that come after
   * {@code after} in that order (oldest first; ties by id), or the first ones when {@code after} is
   * null. The default reads the whole list; stores override it with a bounded query.
   *
   * @param after a room of the list (its creation time and id are the cursor), or null
   * @param limit at least 1
   */
  default List<Room> visibleRooms(String userId, Room after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (was " + limit + ")");
    }
    return visibleRooms(userId).stream()
        .filter(r -> after == null || LIST_ORDER.compare(r, after) > 0)
        .limit(limit)
        .toList();
  }
}
