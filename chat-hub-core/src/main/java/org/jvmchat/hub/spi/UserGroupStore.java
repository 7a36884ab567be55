package org.jvmchat.hub.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.internal.lifetime.InMemoryUserGroupStore;

/**
 * Where a hub's <em>user</em> group memberships live (a user in a group is in it on every one of
 * its connections, including those that open later, on every instance): the one piece of shared
 * state the lifetime managers need beyond pub/sub. The in-process manager keeps its own {@link
 * #inMemory()}; several instances share one, e.g. {@code RedisBackplane.userGroupStore()}, handed
 * to {@link ScaleoutOptions.Builder#userGroupStore}.
 *
 * <p>The rules are Azure SignalR Service's ({@code PUT /api/hubs/{hub}/users/{user}/groups/{group}}
 * of its 2022-06-01 REST API): a membership added with a time to live lasts that long; one added
 * without lasts {@link #LONGEST_MEMBERSHIP} (a year) at most, and of a user's memberships without a
 * time to live only the {@link #MAX_GROUPS_WITHOUT_TTL} (100) most recently added are kept.
 *
 * <p>{@code scope} separates hubs and applications (the scale-out manager passes its channel prefix
 * and hub name). Every method is non-blocking and thread-safe; a failure (the store unreachable)
 * completes the future exceptionally.
 */
public interface UserGroupStore {
  /** How long a membership added without a time to live lasts at most: 365 days. */
  Duration LONGEST_MEMBERSHIP = Duration.ofDays(365);

  /** How many memberships without a time to live a user keeps (the latest added): 100. */
  int MAX_GROUPS_WITHOUT_TTL = 100;

  /**
   * Adds (or renews) {@code userId}'s membership of {@code group}: for {@code ttl} when it is
   * non-null and positive, else without a time to live (see above). A later call replaces an
   * earlier one's expiry.
   */
  CompletableFuture<Void> add(String scope, String userId, String group, Duration ttl);

  /** Removes one membership; completes with whether there was one (expired ones count as none). */
  CompletableFuture<Boolean> remove(String scope, String userId, String group);

  /** Removes every membership of {@code userId}; completes with the groups it was in. */
  CompletableFuture<Set<String>> removeAll(String scope, String userId);

  /** The unexpired memberships of {@code userId}: each group and when it expires. */
  CompletableFuture<Map<String, Instant>> groups(String scope, String userId);

  /** A store in this process's memory: for one instance, or instances in one JVM (tests). */
  static UserGroupStore inMemory() {
    return new InMemoryUserGroupStore(java.time.Clock.systemUTC());
  }
}
