package org.jvmchat.persistence;

/**
 * Who takes part in a room (decides access to private rooms). Blocking: call off the event loop.
 */
public interface ParticipantStore {
  /**
   * Makes {@code userId} a participant of the room.
   *
   * @return {@code true} when added, {@code false} when already a participant
   * @throws NoSuchRoomException when the room does not exist
   * @throws IllegalArgumentException when the user id breaks a {@link ChatLimits limit}
   */
  boolean addParticipant(String roomId, String userId);

  /** Whether {@code userId} takes part in the room ({@code false} for an unknown room). */
  boolean isParticipant(String roomId, String userId);
}
