package org.jvmchat.persistence;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The rooms a user has joined (the hub groups that outlive a connection): the chat server puts each
 * new connection of the user back into these groups. Blocking: call off the event loop; the {@code
 * ...Async} forms never block the caller.
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

  /**
   * {@link #joinAsParticipant} (or {@link #joinGroup} when {@code asParticipant} is false) without
   * blocking the caller: the future completes with what that method returns, or fails with what it
   * throws. The default runs it on {@code blocking}, an executor where blocking is allowed (a full
   * one fails the future with its {@link java.util.concurrent.RejectedExecutionException}); a store
   * that queues its writes (the PostgreSQL store's group commit) or answers from memory overrides
   * this and never uses it. The future may complete on the store's own thread: keep what depends on
   * it short, or move it elsewhere.
   */
  default CompletableFuture<Boolean> joinAsync(
      String userId, String roomId, boolean asParticipant, Executor blocking) {
    return onExecutor(
        () -> asParticipant ? joinAsParticipant(userId, roomId) : joinGroup(userId, roomId),
        blocking);
  }

  /**
   * {@link #groupsOf} without blocking the caller; as {@link #joinAsync}, the default runs it on
   * {@code blocking}.
   */
  default CompletableFuture<List<String>> groupsOfAsync(String userId, Executor blocking) {
    return onExecutor(() -> groupsOf(userId), blocking);
  }

  /** {@code call} on {@code blocking}; an executor that refuses it fails the future. */
  private static <T> CompletableFuture<T> onExecutor(
      java.util.function.Supplier<T> call, Executor blocking) {
    try {
      return CompletableFuture.supplyAsync(call, blocking);
    } catch (RuntimeException rejected) {
      return CompletableFuture.failedFuture(rejected);
    }
  }
}
