package org.jvmchat.server.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * The rooms each user has joined (the store's {@code groupsOf}), cached for the users seen lately,
 * so that a connect of a user whose rooms are known reads nothing from the store: kept by the join
 * path itself ({@link #joined}, {@link #left} after the store's write), filled from the store on a
 * miss. At most {@code maxUsers} users (an arbitrary one is dropped for a new one beyond that).
 *
 * <p>Only correct while this process makes every membership change, i.e. with one instance: the
 * chat server does not use it with a backplane, where another instance's join or leave would not be
 * seen.
 *
 * <p>Concurrency: a filled list must not miss a write the store made, and writes must not be
 * applied out of their store order. Each user maps to one of {@value #STRIPES} version counters. A
 * fill reads the counter, then the store, and installs its list only if the counter did not move
 * meanwhile (nor is an entry there). A write reads the counter, writes the store, then — atomically
 * with other changes of that user's entry — applies itself to the entry if the counter did not move
 * since its read (no write of that stripe overlapped it, so none can have been stored after it yet
 * applied before it), else drops the entry; and moves the counter. Dropping an entry is always
 * safe: the next connect reads the store.
 */
public final class JoinedRooms {
  /** Default bound: users whose joined rooms are kept. */
  public static final int DEFAULT_MAX_USERS = 100_000;

  static final int STRIPES = 1024;

  private final int maxUsers;
  private final ConcurrentHashMap<String, List<String>> rooms = new ConcurrentHashMap<>();
  private final AtomicLongArray versions = new AtomicLongArray(STRIPES);

  /**
   * @param maxUsers users kept at most; 0 = nothing cached (every call reads the store)
   */
  public JoinedRooms(int maxUsers) {
    if (maxUsers < 0) {
      throw new IllegalArgumentException("maxUsers must not be negative");
    }
    this.maxUsers = maxUsers;
  }

  /** A write's ticket: the version of its user's stripe before it wrote the store. */
  public long beforeWrite(String userId) {
    return versions.get(stripe(userId));
  }

  /**
   * The user's joined rooms, ordered by room id (as strings): from the cache, else from {@code
   * store} (which is then remembered unless a write of the user's stripe happened meanwhile).
   */
  public List<String> of(String userId, Supplier<List<String>> store) {
    List<String> known = rooms.get(userId);
    if (known != null || maxUsers == 0) {
      return known != null ? known : store.get();
    }
    long before = versions.get(stripe(userId));
    return remember(userId, before, store.get());
  }

  /**
   * {@link #of} with an asynchronous store read: completed at once when the cache knows the user,
   * else when {@code store}'s future does (on its thread), remembering the answer as {@link #of}
   * does.
   */
  public CompletableFuture<List<String>> ofAsync(
      String userId, Supplier<CompletableFuture<List<String>>> store) {
    List<String> known = rooms.get(userId);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    if (maxUsers == 0) {
      return store.get();
    }
    long before = versions.get(stripe(userId));
    return store.get().thenApply(read -> remember(userId, before, read));
  }

  /** Sorts a store read and keeps it unless a write of the user's stripe happened since before. */
  private List<String> remember(String userId, long before, List<String> fromStore) {
    int stripe = stripe(userId);
    List<String> sorted = new ArrayList<>(fromStore);
    Collections.sort(sorted);
    List<String> read = Collections.unmodifiableList(sorted);
    if (rooms.size() >= maxUsers) {
      Iterator<String> any = rooms.keySet().iterator();
      if (any.hasNext()) {
        rooms.remove(any.next());
      }
    }
    rooms.compute(
        userId, (id, old) -> old != null ? old : versions.get(stripe) == before ? read : null);
    return read;
  }

  /**
   * After the store recorded that the user joined {@code roomId}; {@code ticket}: {@link
   * #beforeWrite}.
   */
  public void joined(String userId, String roomId, long ticket) {
    apply(userId, roomId, true, ticket);
  }

  /** After the store recorded that the user left {@code roomId}. */
  public void left(String userId, String roomId, long ticket) {
    apply(userId, roomId, false, ticket);
  }

  /** Forgets the user's entry (the next read goes to the store). */
  public void forget(String userId) {
    int stripe = stripe(userId);
    rooms.compute(
        userId,
        (id, old) -> {
          versions.incrementAndGet(stripe);
          return null;
        });
  }

  /** Users cached now. */
  public int size() {
    return rooms.size();
  }

  private void apply(String userId, String roomId, boolean join, long ticket) {
    int stripe = stripe(userId);
    rooms.compute(
        userId,
        (id, old) -> {
          boolean inOrder = versions.getAndIncrement(stripe) == ticket;
          if (old == null || !inOrder) {
            return null;
          }
          return join ? with(old, roomId) : without(old, roomId);
        });
  }

  private static List<String> with(List<String> list, String roomId) {
    int at = Collections.binarySearch(list, roomId);
    if (at >= 0) {
      return list;
    }
    List<String> copy = new ArrayList<>(list.size() + 1);
    copy.addAll(list);
    copy.add(-at - 1, roomId);
    return Collections.unmodifiableList(copy);
  }

  private static List<String> without(List<String> list, String roomId) {
    int at = Collections.binarySearch(list, roomId);
    if (at < 0) {
      return list;
    }
    List<String> copy = new ArrayList<>(list);
    copy.remove(at);
    return Collections.unmodifiableList(copy);
  }

  private static int stripe(String userId) {
    int h = userId.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
