package org.jvmchat.persistence;

import java.util.List;
import java.util.Optional;

/** Rooms. Blocking: call off the event loop. */
public interface RoomStore {
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
}
