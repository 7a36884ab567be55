package org.jvmchat.server.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.Room;

/**
 * The store's answers to "which room is this" and "may this user use this room", cached where that
 * is safe, so that the hub's per-message authorization reads no database.
 *
 * <p><b>Why caching is safe: access only grows.</b> The store SPI can create rooms and add
 * participants, but a room is never changed or deleted and a participant is never removed ({@code
 * RoomStore} and {@code ParticipantStore} have no update, delete or remove). So a room read once
 * stays exactly that room for ever, and a positive "user X takes part in room R" stays true for
 * ever, on every server instance. Only those are cached. A negative answer is <em>not</em> cached
 * (another instance, or another request here, may add the participant a moment later), and neither
 * is an unknown room (it cannot appear under a random id, but nothing is gained by remembering
 * that). If removal or deletion is ever added to the store, this cache must be invalidated on every
 * instance (through the backplane) before the change is acknowledged.
 *
 * <p>Both caches are bounded ({@code CHAT_ACCESS_CACHE_ROOMS} entries each, least recently used
 * evicted first, striped so that hub threads rarely contend); an evicted entry is simply read from
 * the store again. Size 0 turns caching off. Thread-safe.
 */
public final class RoomAccess {
  /** Default bound of each cache (rooms; participant answers). */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  private static final int STRIPES = 16;

  private final ChatStore store;
  private final int maxEntries;
  private final Lru<String, Room>[] rooms;
  private final Lru<Participant, Boolean>[] participants;
  private final LongAdder storeReads = new LongAdder();

  private record Participant(String roomId, String userId) {}

  @SuppressWarnings("unchecked")
  public RoomAccess(ChatStore store, int maxEntries) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException(
          "maxEntries must not be negative (was " + maxEntries + ")");
    }
    this.store = store;
    this.maxEntries = maxEntries;
    int perStripe = maxEntries == 0 ? 0 : Math.max(1, (maxEntries + STRIPES - 1) / STRIPES);
    this.rooms = new Lru[STRIPES];
    this.participants = new Lru[STRIPES];
    for (int i = 0; i < STRIPES; i++) {
      rooms[i] = new Lru<>(perStripe);
      participants[i] = new Lru<>(perStripe);
    }
  }

  /** The bound of each cache; 0 = caching off. */
  public int maxEntries() {
    return maxEntries;
  }

  /** How many times the store was asked (room reads and participant checks), for tests. */
  public long storeReads() {
    return storeReads.sum();
  }

  /** The room (from the cache, else the store; only rooms that exist are cached). */
  public Optional<Room> findRoom(String roomId) {
    if (roomId == null) {
      return store.findRoom(null);
    }
    Lru<String, Room> stripe = rooms[stripe(roomId)];
    Room cached = stripe.get(roomId);
    if (cached != null) {
      return Optional.of(cached);
    }
    storeReads.increment();
    Optional<Room> room = store.findRoom(roomId);
    room.ifPresent(this::rememberRoom);
    return room;
  }

  /** The room when the cache holds it, else null (never asks the store, never blocks). */
  public Room cachedRoom(String roomId) {
    return roomId == null ? null : rooms[stripe(roomId)].get(roomId);
  }

  /** Whether {@code userId} takes part in the room (true answers are cached, false never). */
  public boolean isParticipant(String roomId, String userId) {
    if (knownParticipant(roomId, userId)) {
      return true;
    }
    storeReads.increment();
    boolean participant = store.isParticipant(roomId, userId);
    if (participant) {
      rememberParticipant(roomId, userId);
    }
    return participant;
  }

  /** Whether the cache already knows that {@code userId} takes part in the room (no store call). */
  public boolean knownParticipant(String roomId, String userId) {
    Participant key = new Participant(roomId, userId);
    return participants[stripe(key)].get(key) != null;
  }

  /** Remembers a room that exists (e.g. one just created). */
  public void rememberRoom(Room room) {
    rooms[stripe(room.id())].put(room.id(), room);
  }

  /** Remembers that {@code userId} takes part in the room (the store said so or just added it). */
  public void rememberParticipant(String roomId, String userId) {
    Participant key = new Participant(roomId, userId);
    participants[stripe(key)].put(key, Boolean.TRUE);
  }

  private static int stripe(Object key) {
    int h = key.hashCode();
    h ^= h >>> 16;
    return h & (STRIPES - 1);
  }

  /** One stripe: a small synchronized LRU map. */
  private static final class Lru<K, V> {
    private final int max;
    private final LinkedHashMap<K, V> map;

    Lru(int max) {
      this.max = max;
      this.map =
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
              return size() > Lru.this.max;
            }
          };
    }

    synchronized V get(K key) {
      return max == 0 ? null : map.get(key);
    }

    synchronized void put(K key, V value) {
      if (max > 0) {
        map.put(key, value);
      }
    }
  }
}
