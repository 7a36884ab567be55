package org.jvmchat.hub.internal.lifetime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.spi.UserGroupStore;

/**
 * {@link UserGroupStore#inMemory()}: per scope and user, each group with its expiry and whether it
 * was added without a time to live (those are capped at {@link #MAX_GROUPS_WITHOUT_TTL}, the latest
 * added kept). Expired entries are dropped when the user's entries are next touched, and every
 * {@value #SWEEP_EVERY} additions all users are swept, so users never touched again do not stay.
 * Thread-safe (one lock; every operation is a few map operations, a sweep one pass).
 */
public final class InMemoryUserGroupStore implements UserGroupStore {
  private record Membership(Instant expires, boolean withoutTtl, long order) {}

  static final int SWEEP_EVERY = 1024;

  private final Clock clock;
  private final Map<String, Map<String, Membership>> users = new HashMap<>(); // guarded by this
  private long order; // guarded by this

  public InMemoryUserGroupStore(Clock clock) {
    this.clock = clock;
  }

  private static String key(String scope, String userId) {
    return scope + '\u0000' + userId;
  }

  @Override
  public CompletableFuture<Void> add(String scope, String userId, String group, Duration ttl) {
    Instant now = clock.instant();
    boolean withoutTtl = ttl == null || ttl.isZero() || ttl.isNegative();
    Instant expires = now.plus(withoutTtl ? LONGEST_MEMBERSHIP : ttl);
    synchronized (this) {
      if (order % SWEEP_EVERY == SWEEP_EVERY - 1) {
        users.values().removeIf(g -> prune(g, now));
      }
      Map<String, Membership> groups =
          users.computeIfAbsent(key(scope, userId), k -> new HashMap<>());
      prune(groups, now);
      groups.put(group, new Membership(expires, withoutTtl, ++order));
      if (withoutTtl) {
        long kept = groups.values().stream().filter(Membership::withoutTtl).count();
        while (kept-- > MAX_GROUPS_WITHOUT_TTL) {
          groups.entrySet().stream()
              .filter(e -> e.getValue().withoutTtl())
              .min(Comparator.comparingLong(e -> e.getValue().order()))
              .ifPresent(e -> groups.remove(e.getKey()));
        }
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Boolean> remove(String scope, String userId, String group) {
    Instant now = clock.instant();
    synchronized (this) {
      Map<String, Membership> groups = users.get(key(scope, userId));
      boolean removed = false;
      if (groups != null) {
        prune(groups, now);
        removed = groups.remove(group) != null;
        if (groups.isEmpty()) {
          users.remove(key(scope, userId));
        }
      }
      return CompletableFuture.completedFuture(removed);
    }
  }

  @Override
  public CompletableFuture<Set<String>> removeAll(String scope, String userId) {
    Instant now = clock.instant();
    synchronized (this) {
      Map<String, Membership> groups = users.remove(key(scope, userId));
      if (groups == null) {
        return CompletableFuture.completedFuture(Set.of());
      }
      prune(groups, now);
      return CompletableFuture.completedFuture(Set.copyOf(new LinkedHashSet<>(groups.keySet())));
    }
  }

  @Override
  public CompletableFuture<Map<String, Instant>> groups(String scope, String userId) {
    Instant now = clock.instant();
    synchronized (this) {
      Map<String, Membership> groups = users.get(key(scope, userId));
      if (groups == null) {
        return CompletableFuture.completedFuture(Map.of());
      }
      prune(groups, now);
      Map<String, Instant> result = new HashMap<>();
      groups.forEach((g, m) -> result.put(g, m.expires()));
      if (groups.isEmpty()) {
        users.remove(key(scope, userId));
      }
      return CompletableFuture.completedFuture(Map.copyOf(result));
    }
  }

  /** Users with memberships kept (expired ones not swept yet included). */
  synchronized int userCount() {
    return users.size();
  }

  /** Drops the expired memberships; returns whether none is left. */
  private static boolean prune(Map<String, Membership> groups, Instant now) {
    groups.values().removeIf(m -> !m.expires().isAfter(now));
    return groups.isEmpty();
  }
}
