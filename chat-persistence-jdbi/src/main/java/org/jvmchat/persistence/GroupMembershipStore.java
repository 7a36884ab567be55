package org.jvmchat.persistence;

import java.util.List;

/**
 * The rooms a user has joined (the hub groups that outlive a connection): the chat server puts each
 * new connection of the user back into these groups. Blocking: call off the event loop.
 */
public interface GroupMembershipStore {
  /**
   * Records that {@code userId} joined the room's group.
   *
   * @return {@code true} when newly joined, {@code false} when already joined
   * @throws NoSuchRoomException when the room does not exist
   * @throws IllegalArgumentException when the user id breaks a {@link ChatLimits limit}
   */
  boolean joinGroup(String userId, String roomId);

  /**
   * Makes {@code userId} a participant of the room (if it is not one yet) and records that it
   * joined the room's group, as one unit: what a user joining a public room needs, in one round
   * trip where the store can. The default adds the participant, then joins the group.
   *
   * @return {@code true} when the group was newly joined
   * @throws NoSuchRoomException when the room does not exist
   * @throws IllegalArgumentException when the user id breaks a {@link ChatLimits limit}
   */
  default boolean joinAsParticipant(String userId, String roomId) {
    if (this instanceof ParticipantStore participants) {
      participants.addParticipant(roomId, userId);
    }
    return joinGroup(userId, roomId);
  }

  /**
   * Records that {@code userId} left the room's group.
   *
   * @return {@code true} when the user had joined it
   */
  boolean leaveGroup(String userId, String roomId);

  /** The ids of the rooms {@code userId} has joined, ordered by room id (roughly room age). */
  List<String> groupsOf(String userId);
}
