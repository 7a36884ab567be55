package org.jvmchat.persistence.internal;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ids of rooms the store has seen exist. Rooms are never deleted, so "exists" stays true for ever;
 * the group-commit writer uses it to take its one-statement path (no separate check for unknown
 * rooms). Bounded: when full it is simply emptied and refills from the next reads and batches (a
 * forgotten room only costs one batch the slower path).
 */
final class KnownRooms {
  static final int DEFAULT_MAX = 100_000;

  private final Set<UUID> ids = ConcurrentHashMap.newKeySet();
  private final int max;

  KnownRooms(int max) {
    this.max = max;
  }

  void add(UUID room) {
    if (ids.size() >= max) {
      ids.clear();
    }
    ids.add(room);
  }

  /** After a write found {@code room} missing after all (deleted by hand: the store never does). */
  void forget(UUID room) {
    ids.remove(room);
  }

  boolean contains(UUID room) {
    return room != null && ids.contains(room);
  }
}
