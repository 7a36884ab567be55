package org.jvmchat.persistence;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A {@link ChatStore} in memory, for tests and embedders: same validation, ordering and paging as
 * the PostgreSQL store, nothing survives the process. Appends complete before {@code append}
 * returns. All operations take one lock, so it suits modest load.
 *
 * <p><b>Bounded:</b> each room keeps its newest {@code messagesPerRoom} messages (default {@value
 * #DEFAULT_MESSAGES_PER_ROOM}); older ones leave the history, an eighth of the bound at a time (so
 * between 7/8 of the bound and the bound are kept once a room has filled it), and seqs go on
 * counting. {@link #history} then ends at the oldest message kept, {@link #historyAfter} starts
 * there when asked for older ones, and a {@code before} naming a dropped message is refused as any
 * id the room does not hold. A store that kept everything would grow the heap without end, and the
 * garbage collector's work with it.
 */
public final class InMemoryChatStore implements ChatStore {
  /** Default bound: messages kept per room. */
  public static final int DEFAULT_MESSAGES_PER_ROOM = 10_000;

  private final Clock clock;
  private final int messagesPerRoom;
  private final Map<String, RoomState> rooms = new LinkedHashMap<>();
  private final Map<String, ChatMessage> messagesById = new HashMap<>();
  private final Map<String, Set<String>> groupsByUser = new HashMap<>();
  private boolean closed;

  public InMemoryChatStore() {
    this(Clock.systemUTC());
  }

  /** A store that stamps rooms and messages with {@code clock} (truncated to microseconds). */
  public InMemoryChatStore(Clock clock) {
    this(clock, DEFAULT_MESSAGES_PER_ROOM);
  }

  /**
   * @param messagesPerRoom the newest messages kept per room, at least 1
   */
  public InMemoryChatStore(Clock clock, int messagesPerRoom) {
    if (messagesPerRoom < 1) {
      throw new IllegalArgumentException(
          "messagesPerRoom must be at least 1 (was " + messagesPerRoom + ")");
    }
    this.clock = clock;
    this.messagesPerRoom = messagesPerRoom;
  }

  private static final class RoomState {
    final Room room;
    final Set<String> participants = new TreeSet<>();

    /** The messages kept, oldest first: seq {@code firstSeq + i} at index i. */
    final List<ChatMessage> messages = new ArrayList<>();

    long firstSeq = 1;

    long nextSeq() {
      return firstSeq + messages.size();
    }

    RoomState(Room room) {
      this.room = room;
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private void ensureOpen() {
    if (closed) {
      throw new ChatStoreException("the chat store is closed");
    }
  }

  private RoomState requireRoom(String roomId) {
    RoomState state = roomId == null ? null : rooms.get(roomId);
    if (state == null) {
      throw new NoSuchRoomException(roomId);
    }
    return state;
  }

  @Override
  public synchronized Room createRoom(String name, boolean isPrivate, String createdBy) {
    ChatLimits.requireRoomName(name);
    ChatLimits.requireUserId("createdBy", createdBy);
    ensureOpen();
    Room room = new Room(ChatIds.newId(), name, isPrivate, createdBy, now());
    RoomState state = new RoomState(room);
    state.participants.add(createdBy);
    rooms.put(room.id(), state);
    return room;
  }

  @Override
  public synchronized Optional<Room> findRoom(String roomId) {
    ensureOpen();
    RoomState state = roomId == null ? null : rooms.get(roomId);
    return state == null ? Optional.empty() : Optional.of(state.room);
  }

  @Override
  public synchronized List<Room> visibleRooms(String userId) {
    ensureOpen();
    List<Room> result = new ArrayList<>();
    for (RoomState state : rooms.values()) {
      if (!state.room.isPrivate() || state.participants.contains(userId)) {
        result.add(state.room);
      }
    }
    result.sort(Comparator.comparing(Room::createdAt).thenComparing(Room::id));
    return result;
  }

  @Override
  public synchronized boolean addParticipant(String roomId, String userId) {
    ChatLimits.requireUserId("userId", userId);
    ensureOpen();
    return requireRoom(roomId).participants.add(userId);
  }

  @Override
  public synchronized boolean isParticipant(String roomId, String userId) {
    ensureOpen();
    RoomState state = roomId == null ? null : rooms.get(roomId);
    return state != null && state.participants.contains(userId);
  }

  @Override
  public CompletableFuture<ChatMessage> append(NewMessage message) {
    return appendAll(List.of(message)).thenApply(list -> list.get(0));
  }

  @Override
  public synchronized CompletableFuture<List<ChatMessage>> appendAll(List<NewMessage> messages) {
    try {
      ChatLimits.requireAppendBatch(messages);
      ensureOpen();
      Set<String> ids = new java.util.HashSet<>();
      for (NewMessage m : messages) {
        requireRoom(m.roomId());
        if (m.id() != null && (messagesById.containsKey(m.id()) || !ids.add(m.id()))) {
          throw new ChatStoreException("a message with id " + m.id() + " already exists");
        }
      }
      Instant now = now();
      List<ChatMessage> stored = new ArrayList<>(messages.size());
      for (NewMessage m : messages) {
        RoomState state = rooms.get(m.roomId());
        String id = m.id() != null ? m.id() : ChatIds.newId();
        ChatMessage message =
            new ChatMessage(
                id,
                m.roomId(),
                state.nextSeq(),
                m.senderId(),
                m.senderName(),
                m.content(),
                m.kind(),
                now);
        state.messages.add(message);
        messagesById.put(id, message);
        stored.add(message);
        trim(state);
      }
      return CompletableFuture.completedFuture(List.copyOf(stored));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Drops the oldest eighth of the bound once a room holds more than the bound. */
  private void trim(RoomState state) {
    int size = state.messages.size();
    if (size <= messagesPerRoom) {
      return;
    }
    int drop = size - messagesPerRoom + messagesPerRoom / 8;
    List<ChatMessage> oldest = state.messages.subList(0, drop);
    for (ChatMessage m : oldest) {
      messagesById.remove(m.id());
    }
    oldest.clear();
    state.firstSeq += drop;
  }

  @Override
  public synchronized MessagePage history(String roomId, String before, int limit) {
    ChatLimits.requireHistoryLimit(limit);
    ensureOpen();
    RoomState state = requireRoom(roomId);
    long end; // exclusive upper bound on seq
    if (before == null) {
      end = state.nextSeq();
    } else {
      ChatMessage anchor = messagesById.get(before);
      if (anchor == null || !anchor.roomId().equals(roomId)) {
        throw new IllegalArgumentException(
            "before must be the id of a message in this room (was "
                + before
                + "; the in-memory store keeps the newest "
                + messagesPerRoom
                + " messages per room)");
      }
      end = anchor.seq();
    }
    int to = (int) (end - state.firstSeq); // exclusive index
    int from = Math.max(0, to - limit);
    List<ChatMessage> items = new ArrayList<>(state.messages.subList(from, to));
    String nextBefore = from > 0 && !items.isEmpty() ? items.get(0).id() : null;
    return new MessagePage(items, nextBefore);
  }

  @Override
  public synchronized MessagesAfter historyAfter(String roomId, long after, int limit) {
    ChatLimits.requireHistoryLimit(limit);
    ChatLimits.requireAfterSeq(after);
    ensureOpen();
    RoomState state = requireRoom(roomId);
    int size = state.messages.size();
    // the messages after seq `after` start at index after + 1 - firstSeq (0 when those are gone)
    int from = (int) Math.min(Math.max(0, after + 1 - state.firstSeq), size);
    int to = Math.min(size, from + limit);
    List<ChatMessage> items = new ArrayList<>(state.messages.subList(from, to));
    Long nextAfter = to < size && !items.isEmpty() ? items.get(items.size() - 1).seq() : null;
    return new MessagesAfter(items, nextAfter);
  }

  @Override
  public synchronized boolean joinGroup(String userId, String roomId) {
    ChatLimits.requireUserId("userId", userId);
    ensureOpen();
    requireRoom(roomId);
    return groupsByUser.computeIfAbsent(userId, u -> new TreeSet<>()).add(roomId);
  }

  /** Answered at once, on the calling thread (a short critical section, no I/O). */
  @Override
  public CompletableFuture<Boolean> joinAsync(
      String userId, String roomId, boolean asParticipant, Executor blocking) {
    try {
      return CompletableFuture.completedFuture(
          asParticipant ? joinAsParticipant(userId, roomId) : joinGroup(userId, roomId));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Answered at once, on the calling thread. */
  @Override
  public CompletableFuture<List<String>> groupsOfAsync(String userId, Executor blocking) {
    try {
      return CompletableFuture.completedFuture(groupsOf(userId));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public synchronized boolean leaveGroup(String userId, String roomId) {
    ensureOpen();
    Set<String> groups = groupsByUser.get(userId);
    return groups != null && groups.remove(roomId);
  }

  @Override
  public synchronized List<String> groupsOf(String userId) {
    ensureOpen();
    Set<String> groups = groupsByUser.get(userId);
    return groups == null ? List.of() : List.copyOf(groups);
  }

  @Override
  public synchronized StoreHealth ping() {
    return closed
        ? StoreHealth.down("in-memory store: closed", java.time.Duration.ZERO)
        : StoreHealth.up("in-memory store", java.time.Duration.ZERO);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
