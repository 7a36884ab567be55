package org.jvmchat.server.chat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.jvmchat.persistence.ChatIds;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.MessagePage;
import org.jvmchat.persistence.MessagesAfter;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.persistence.NoSuchRoomException;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.StoreOutcomeUnknownException;
import org.jvmchat.persistence.StoreOverloadedException;
import org.jvmchat.persistence.StoreUnavailableException;

/**
 * The chat's rules, shared by the REST API and the hub: who may see and write to a room, input
 * validation, and the store calls. Every room access is checked here, on every call; the answers
 * that can never change (a room, a positive participant check) come from {@link RoomAccess}'s
 * cache, so a message to a known room reads no database. Blocking (the store's reads are): call
 * from the hub or route executor, never from an I/O thread.
 */
public final class ChatService {
  private final ChatStore store;
  private final RoomAccess access;
  private final JoinedRooms joinedRooms;

  /**
   * With the default access cache ({@value RoomAccess#DEFAULT_MAX_ENTRIES} entries) and no joined
   * rooms cache.
   */
  public ChatService(ChatStore store) {
    this(store, RoomAccess.DEFAULT_MAX_ENTRIES, 0);
  }

  /**
   * @param accessCacheEntries bound of the room and participant caches; 0 = no caching
   */
  public ChatService(ChatStore store, int accessCacheEntries) {
    this(store, accessCacheEntries, 0);
  }

  /**
   * @param accessCacheEntries bound of the room and participant caches; 0 = no caching
   * @param joinedRoomsUsers users whose joined rooms are cached ({@link JoinedRooms}); 0 = none.
   *     Only for a single instance: with several, another instance's joins and leaves are not seen
   */
  public ChatService(ChatStore store, int accessCacheEntries, int joinedRoomsUsers) {
    this.store = store;
    this.access = new RoomAccess(store, accessCacheEntries);
    this.joinedRooms = new JoinedRooms(joinedRoomsUsers);
  }

  /** The cached room and participant answers. */
  public RoomAccess access() {
    return access;
  }

  public ChatStore store() {
    return store;
  }

  /**
   * The room, when {@code userId} may read and write it.
   *
   * @throws ChatException 400 for a malformed id, 404 for an unknown room, 403 for a private room
   *     the user does not take part in
   */
  public Room accessibleRoom(String roomId, String userId) {
    Room room = existingRoom(roomId);
    if (room.isPrivate() && !guard(() -> access.isParticipant(room.id(), userId))) {
      throw ChatException.forbidden(room.id());
    }
    return room;
  }

  /** Whether {@code userId} may use the room now (false for unknown rooms). */
  public boolean mayAccess(String roomId, String userId) {
    Room room = guard(() -> access.findRoom(roomId)).orElse(null);
    return room != null
        && (!room.isPrivate() || guard(() -> access.isParticipant(room.id(), userId)));
  }

  /**
   * {@link #accessibleRoom} answered from the cache alone, without blocking: the room when the
   * cache knows it and (for a private room) knows that the user takes part; null when only the
   * store can tell (then call {@link #accessibleRoom} where blocking is allowed). The cache holds
   * only answers that never change (see {@link RoomAccess}), so a non-null answer is the store's.
   *
   * @throws ChatException 400 for a missing or malformed id (as {@link #accessibleRoom})
   */
  public Room cachedAccessibleRoom(String roomId, String userId) {
    requireRoomId(roomId);
    Room room = access.cachedRoom(roomId);
    if (room == null || (room.isPrivate() && !access.knownParticipant(room.id(), userId))) {
      return null;
    }
    return room;
  }

  /** The room, whoever asks. */
  public Room existingRoom(String roomId) {
    requireRoomId(roomId);
    return guard(() -> access.findRoom(roomId))
        .orElseThrow(() -> ChatException.roomNotFound(roomId));
  }

  private static void requireRoomId(String roomId) {
    if (roomId == null || roomId.isEmpty()) {
      throw ChatException.badInput("roomId is required.");
    }
    if (!ChatIds.isValid(roomId)) {
      throw ChatException.badInput(
          "roomId must be a room id like 0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d.");
    }
  }

  /** Public rooms and the private rooms {@code userId} takes part in, oldest first. */
  public List<Room> visibleRooms(String userId) {
    return guard(() -> store.visibleRooms(userId));
  }

  /**
   * One page of {@link #visibleRooms}: at most {@code limit} rooms after the room {@code afterId}
   * (null: from the first).
   *
   * @throws ChatException 400 when {@code afterId} is not the id of a room in the caller's list
   */
  public List<Room> visibleRooms(String userId, String afterId, int limit) {
    Room after = null;
    if (afterId != null) {
      after =
          ChatIds.isValid(afterId) && mayAccess(afterId, userId)
              ? guard(() -> access.findRoom(afterId)).orElse(null)
              : null;
      if (after == null) {
        throw ChatException.badInput(
            "after must be the id of a room in your room list (was '" + afterId + "').");
      }
    }
    Room cursor = after;
    return guard(() -> store.visibleRooms(userId, cursor, limit));
  }

  /** Creates a room; its creator becomes a participant. */
  public Room createRoom(String name, boolean isPrivate, String userId) {
    validate(() -> ChatLimits.requireRoomName(name));
    Room room = guard(() -> store.createRoom(name, isPrivate, userId));
    access.rememberRoom(room);
    access.rememberParticipant(room.id(), userId); // the creator takes part
    return room;
  }

  /**
   * A page of history, checking access.
   *
   * @param limit {@value ChatLimits#HISTORY_MIN_LIMIT}..{@value ChatLimits#HISTORY_MAX_LIMIT}
   * @param before a message id of the room, or null for the newest
   */
  public MessagePage history(String roomId, String userId, String before, int limit) {
    Room room = accessibleRoom(roomId, userId);
    validate(() -> ChatLimits.requireHistoryLimit(limit));
    if (before != null && !ChatIds.isValid(before)) {
      throw ChatException.badInput(
          "before must be a message id like 0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d (was '"
              + before
              + "').");
    }
    return validate(() -> guard(() -> store.history(room.id(), before, limit)));
  }

  /**
   * The messages after {@code after} (a {@code seq}), oldest first, checking access: what a client
   * that last saw {@code after} missed.
   *
   * @param limit {@value ChatLimits#HISTORY_MIN_LIMIT}..{@value ChatLimits#HISTORY_MAX_LIMIT}
   */
  public MessagesAfter historyAfter(String roomId, String userId, long after, int limit) {
    Room room = accessibleRoom(roomId, userId);
    validate(() -> ChatLimits.requireHistoryLimit(limit));
    validate(() -> ChatLimits.requireAfterSeq(after));
    return validate(() -> guard(() -> store.historyAfter(room.id(), after, limit)));
  }

  /** Adds {@code newUserId} to the room; only a participant may. */
  public void addParticipant(String roomId, String callerId, String newUserId) {
    Room room = existingRoom(roomId);
    if (!guard(() -> access.isParticipant(room.id(), callerId))) {
      throw room.isPrivate()
          ? ChatException.forbidden(room.id())
          : ChatException.notParticipant(room.id());
    }
    validate(() -> ChatLimits.requireUserId("userId", newUserId));
    guard(() -> store.addParticipant(room.id(), newUserId));
    access.rememberParticipant(room.id(), newUserId);
  }

  /**
   * {@link #join} without blocking: the store's {@link
   * org.jvmchat.persistence.GroupMembershipStore#joinAsync} ({@code blocking} only for a store that
   * has no queue of its own). The future fails with what {@link #join} throws, translated.
   */
  public CompletableFuture<Boolean> joinAsync(Room room, String userId, Executor blocking) {
    long ticket = joinedRooms.beforeWrite(userId);
    boolean asParticipant = !access.knownParticipant(room.id(), userId);
    CompletableFuture<Boolean> stored;
    try {
      stored = store.joinAsync(userId, room.id(), asParticipant, blocking);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return stored.handle(
        (newlyJoined, error) -> {
          if (error != null) {
            joinedRooms.forget(userId); // the store may have recorded it or not
            throw new CompletionException(translate(unwrap(error)));
          }
          if (asParticipant) {
            access.rememberParticipant(room.id(), userId);
          }
          joinedRooms.joined(userId, room.id(), ticket);
          return newlyJoined;
        });
  }

  /**
   * The user joins the room's group, becoming a participant first if it is not one (joining a
   * public room; {@link #accessibleRoom} checked access): one store call, and no read when the
   * cache knows the participant.
   *
   * @return whether the group was newly joined
   */
  public boolean join(Room room, String userId) {
    try {
      // Answered on this thread by a store without a queue of its own; a queueing store's is
      // waited for, as its blocking join would.
      return joinAsync(room, userId, Runnable::run).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatStoreException("interrupted while waiting for the store; not joined");
    } catch (ExecutionException e) {
      throw translate(unwrap(e.getCause()));
    }
  }

  /**
   * The user leaves the room's group (stored).
   *
   * @return whether the user had joined it
   */
  public boolean leave(Room room, String userId) {
    long ticket = joinedRooms.beforeWrite(userId);
    boolean wasJoined;
    try {
      wasJoined = guard(() -> store.leaveGroup(userId, room.id()));
    } catch (RuntimeException e) {
      joinedRooms.forget(userId);
      throw e;
    }
    joinedRooms.left(userId, room.id(), ticket);
    return wasJoined;
  }

  /**
   * The ids of the rooms the user joined, ordered by id: from the joined rooms cache when it knows
   * the user (no store read), else from the store.
   */
  public List<String> joinedRooms(String userId) {
    return joinedRooms.of(userId, () -> guard(() -> store.groupsOf(userId)));
  }

  /**
   * {@link #joinedRooms} without blocking: answered at once by the cache, else by the store's
   * {@link org.jvmchat.persistence.GroupMembershipStore#groupsOfAsync}.
   */
  public CompletableFuture<List<String>> joinedRoomsAsync(String userId, Executor blocking) {
    return joinedRooms
        .ofAsync(userId, () -> store.groupsOfAsync(userId, blocking))
        .handle(
            (rooms, error) -> {
              if (error != null) {
                throw new CompletionException(translate(unwrap(error)));
              }
              return rooms;
            });
  }

  /**
   * Makes {@code userId} a participant of a room it may access (joining a public room). Reads
   * nothing when the cache already knows the user takes part.
   */
  public void ensureParticipant(Room room, String userId) {
    if (access.knownParticipant(room.id(), userId)) {
      return;
    }
    if (!guard(() -> access.isParticipant(room.id(), userId))) {
      guard(() -> store.addParticipant(room.id(), userId));
      access.rememberParticipant(room.id(), userId);
    }
  }

  /** Checks message content against the limits. */
  public static void validateContent(String content) {
    validate(() -> ChatLimits.requireContent(content));
  }

  /**
   * Stores a user's message (asynchronously); the future fails with a {@link ChatException} when
   * the store refuses it.
   */
  public CompletableFuture<ChatMessage> append(
      Room room, String userId, String userName, String content) {
    NewMessage message = validate(() -> NewMessage.user(room.id(), userId, userName, content));
    return store
        .append(message)
        .handle(
            (stored, error) -> {
              if (error == null) {
                return stored;
              }
              throw new CompletionException(translate(unwrap(error)));
            });
  }

  /** The store's exceptions as chat errors a person can read. */
  public static RuntimeException translate(Throwable error) {
    if (error instanceof ChatException ce) {
      return ce;
    }
    if (error instanceof NoSuchRoomException nsr) {
      return ChatException.roomNotFound(nsr.roomId());
    }
    if (error instanceof IllegalArgumentException iae) {
      return ChatException.badInput(sentence(iae.getMessage()));
    }
    if (error instanceof StoreOverloadedException) {
      return ChatException.unavailable(
          "The server is busy storing other messages; nothing was stored. Try again shortly.");
    }
    if (error instanceof StoreOutcomeUnknownException) {
      return ChatException.unavailable(
          "The message store did not confirm whether the message was stored; it may appear in the"
              + " history. Check the history before sending it again.");
    }
    if (error instanceof StoreUnavailableException) {
      return ChatException.unavailable(
          "The message store is unavailable; nothing was stored. Try again shortly.");
    }
    if (error instanceof RuntimeException re) {
      return re;
    }
    return new IllegalStateException(error);
  }

  /** The failure inside any {@link CompletionException} wrappers (the one a caller should see). */
  public static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String sentence(String message) {
    if (message == null || message.isEmpty()) {
      return "The request is not valid.";
    }
    return message.endsWith(".") ? message : message + ".";
  }

  private static <T> T validate(java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw ChatException.badInput(sentence(e.getMessage()));
    }
  }

  private static <T> T guard(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (NoSuchRoomException | StoreOverloadedException | StoreUnavailableException e) {
      throw translate(e);
    }
  }
}
