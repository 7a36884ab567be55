package org.jvmchat.hub.internal.lifetime;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.UserGroupStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local half of user group membership, shared by both lifetime managers: it puts this
 * instance's connections of a user in the user's groups (when a membership is added, and when a
 * connection of the user opens: the stored memberships are read then), takes them out, and takes
 * them out when a membership expires (a timer per local user and group, which reads the store again
 * when it fires, so a renewed membership is kept). The manager says how a connection joins and
 * leaves a group (with a backplane: subscriptions too).
 */
public final class LocalUserGroups {
  private static final Logger log = LoggerFactory.getLogger(LocalUserGroups.class);
  private static final long RETRY_MILLIS = 5_000;

  /** How the manager puts a local connection in a group and takes it out. */
  public interface Membership {
    CompletableFuture<Void> join(HubConnectionContext connection, String group);

    CompletableFuture<Void> leave(HubConnectionContext connection, String group);
  }

  private final String scope;
  private final HubConnectionStore connections;
  private final UserGroupStore store;
  private final ScheduledExecutorService scheduler;
  private final Membership membership;
  private final Clock clock;

  /** User → group → the expiry timer. Guarded by this. */
  private final Map<String, Map<String, ScheduledFuture<?>>> timers = new HashMap<>();

  private boolean closed; // guarded by this

  /**
   * @param scope the store's scope of this hub
   * @param store the memberships; null when the manager has none (nothing is read on connect)
   */
  public LocalUserGroups(
      String scope,
      HubConnectionStore connections,
      UserGroupStore store,
      ScheduledExecutorService scheduler,
      Membership membership,
      Clock clock) {
    this.scope = scope;
    this.connections = connections;
    this.store = store;
    this.scheduler = scheduler;
    this.membership = membership;
    this.clock = clock;
  }

  /**
   * Puts every local connection of {@code user} in {@code group}; with {@code expires} non-null,
   * takes them out again when the stored membership has expired by then.
   */
  public CompletableFuture<Void> join(String user, String group, Instant expires) {
    List<CompletableFuture<Void>> joined = new ArrayList<>();
    for (HubConnectionContext c : connections.connectionsOf(user)) {
      joined.add(membership.join(c, group));
    }
    if (expires != null && !joined.isEmpty()) {
      schedule(user, group, expires);
    }
    return all(joined);
  }

  /** Takes every local connection of {@code user} out of {@code group}. */
  public CompletableFuture<Void> leave(String user, String group) {
    cancel(user, group);
    List<CompletableFuture<Void>> left = new ArrayList<>();
    for (HubConnectionContext c : connections.connectionsOf(user)) {
      left.add(membership.leave(c, group));
    }
    return all(left);
  }

  /** Takes every local connection of {@code user} out of every group it is in. */
  public CompletableFuture<Void> leaveAll(String user) {
    cancelUser(user);
    List<CompletableFuture<Void>> left = new ArrayList<>();
    for (HubConnectionContext c : connections.connectionsOf(user)) {
      for (String group : connections.groupsOf(c.connectionId())) {
        left.add(membership.leave(c, group));
      }
    }
    return all(left);
  }

  /**
   * A local connection opened (and is registered): puts it in its user's stored groups. Never
   * fails: when the store cannot be read, the connection opens without them (logged).
   */
  public CompletableFuture<Void> connected(HubConnectionContext connection) {
    String user = connection.userIdentifier();
    if (user == null || store == null) {
      return CompletableFuture.completedFuture(null);
    }
    return store
        .groups(scope, user)
        .thenCompose(
            groups -> {
              List<CompletableFuture<Void>> joined = new ArrayList<>();
              for (Map.Entry<String, Instant> e : groups.entrySet()) {
                joined.add(membership.join(connection, e.getKey()));
                schedule(user, e.getKey(), e.getValue());
              }
              return all(joined);
            })
        .exceptionally(
            e -> {
              log.warn(
                  "Reading the user groups of '{}' failed; connection '{}' opens without them: {}",
                  user,
                  connection.connectionId(),
                  e.toString());
              return null;
            });
  }

  /** A local connection closed: its user's timers go once the user has no local connection. */
  public void disconnected(HubConnectionContext connection) {
    String user = connection.userIdentifier();
    if (user != null && !connections.hasUser(user)) {
      cancelUser(user);
    }
  }

  /** Cancels every timer; later calls schedule none. */
  public synchronized void close() {
    closed = true;
    for (Map<String, ScheduledFuture<?>> groups : timers.values()) {
      groups.values().forEach(t -> t.cancel(false));
    }
    timers.clear();
  }

  // ---------------------------------------------------------------- expiry

  private synchronized void schedule(String user, String group, Instant expires) {
    if (closed) {
      return;
    }
    long delay = Math.max(0, expires.toEpochMilli() - clock.millis()) + 1;
    ScheduledFuture<?> timer;
    try {
      timer = scheduler.schedule(() -> expire(user, group), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return; // the server is stopping
    }
    ScheduledFuture<?> previous =
        timers.computeIfAbsent(user, u -> new HashMap<>()).put(group, timer);
    if (previous != null) {
      previous.cancel(false);
    }
  }

  private synchronized void cancel(String user, String group) {
    Map<String, ScheduledFuture<?>> groups = timers.get(user);
    if (groups != null) {
      ScheduledFuture<?> t = groups.remove(group);
      if (t != null) {
        t.cancel(false);
      }
      if (groups.isEmpty()) {
        timers.remove(user);
      }
    }
  }

  private synchronized void cancelUser(String user) {
    Map<String, ScheduledFuture<?>> groups = timers.remove(user);
    if (groups != null) {
      groups.values().forEach(t -> t.cancel(false));
    }
  }

  private void expire(String user, String group) {
    if (store == null) {
      leave(user, group);
      return;
    }
    store
        .groups(scope, user)
        .whenComplete(
            (groups, e) -> {
              if (e != null) {
                log.debug("Re-reading user '{}' groups failed, retrying: {}", user, e.toString());
                schedule(user, group, clock.instant().plusMillis(RETRY_MILLIS));
                return;
              }
              Instant expires = groups.get(group);
              if (expires != null && expires.isAfter(clock.instant())) {
                schedule(user, group, expires); // renewed meanwhile
              } else {
                leave(user, group);
              }
            });
  }

  private static CompletableFuture<Void> all(List<CompletableFuture<Void>> futures) {
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
  }
}
