package org.jvmchat.server.presence;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is online: counts this instance's connections per user and tells a {@link Listener} when a
 * user's first connection on any instance opened ({@code online}) and after the last one closed
 * ({@code offline}). A user whose last connection here closes stays held for {@code grace}, so a
 * reconnect within it (a page reload, automatic reconnect) makes no noise. Across instances the
 * answers come from a {@link SharedPresence} (Redis with leases, or in-process), renewed every
 * {@code lease / 3}; the users of an instance that died go offline once its leases expire (at most
 * {@code lease + lease / 3}).
 *
 * <p>Everything runs on one thread of its own (never an event loop or the hub executor): {@link
 * #connected} and {@link #disconnected} only enqueue. A failing shared store (Redis down) is logged
 * and skipped: events are then missed, presence heals with the next renewal and sweep.
 */
public final class Presence implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Presence.class);

  /** Default of {@code grace}: {@value} s. */
  public static final long DEFAULT_GRACE_SECONDS = 5;

  /** Default lease of a shared claim: {@value} s (a dead instance's users go offline in ≤ 20 s). */
  public static final long DEFAULT_LEASE_SECONDS = 15;

  /** Hears users going online and offline (on the presence thread; must not block for long). */
  public interface Listener {
    /**
     * The user's first connection (on any instance) opened.
     *
     * @param rooms the rooms that connection was put back in when it opened: those the user had
     *     joined then (a room joined afterwards got {@code UserJoined} instead)
     */
    void online(String userId, String userName, List<String> rooms);

    void offline(String userId, String userName);
  }

  private final SharedPresence shared;
  private final Duration grace;
  private final ScheduledExecutorService thread;
  private final Map<String, Held> held = new HashMap<>(); // on `thread` only
  private volatile Listener listener =
      new Listener() {
        @Override
        public void online(String userId, String userName, List<String> rooms) {}

        @Override
        public void offline(String userId, String userName) {}
      };

  private static final class Held {
    String name;
    int connections;
    ScheduledFuture<?> leaving;
  }

  public Presence(SharedPresence shared, Duration grace, Duration lease) {
    this.shared = shared;
    this.grace = grace;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "chat-presence");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(100, lease.toMillis() / 3);
    thread.scheduleWithFixedDelay(this::renewAndSweep, every, every, TimeUnit.MILLISECONDS);
  }

  /** In-process presence with the default grace. */
  public static Presence inProcess() {
    return new Presence(
        SharedPresence.inProcess(),
        Duration.ofSeconds(DEFAULT_GRACE_SECONDS),
        Duration.ofSeconds(DEFAULT_LEASE_SECONDS));
  }

  /** Where events go (set once, when the hub is there to send them). */
  public void listener(Listener listener) {
    this.listener = listener;
  }

  public String name() {
    return shared.name();
  }

  /**
   * A connection of the user opened on this instance, and was put back in {@code rooms} (what
   * {@code UserOnline} reaches when it is the user's first).
   */
  public void connected(String userId, String userName, List<String> rooms) {
    List<String> roomsAtConnect = List.copyOf(rooms);
    run(
        () -> {
          Held h = held.get(userId);
          if (h == null) {
            h = new Held();
            h.name = userName;
            held.put(userId, h);
          }
          h.connections++;
          if (h.leaving != null) {
            h.leaving.cancel(false); // back within the grace: no noise
            h.leaving = null;
            return;
          }
          if (h.connections == 1) {
            try {
              if (shared.held(userId, userName)) {
                listener.online(userId, userName, roomsAtConnect);
              }
            } catch (RuntimeException e) {
              log.warn("Presence: could not record {} online: {}", userId, e.toString());
            }
          }
        });
  }

  /** A connection of the user on this instance closed. */
  public void disconnected(String userId) {
    run(
        () -> {
          Held h = held.get(userId);
          if (h == null || --h.connections > 0) {
            return;
          }
          Held leaving = h;
          h.leaving =
              thread.schedule(
                  () -> {
                    if (leaving.connections > 0 || held.get(userId) != leaving) {
                      return;
                    }
                    held.remove(userId);
                    try {
                      if (shared.released(userId)) {
                        listener.offline(userId, leaving.name);
                      }
                    } catch (RuntimeException e) {
                      log.warn("Presence: could not record {} offline: {}", userId, e.toString());
                    }
                  },
                  grace.toMillis(),
                  TimeUnit.MILLISECONDS);
        });
  }

  /** Every user online on any instance: id to display name. Blocking (a Redis round trip). */
  public Map<String, String> online() {
    return shared.online();
  }

  private void renewAndSweep() {
    try {
      Map<String, String> mine = new LinkedHashMap<>();
      held.forEach((user, h) -> mine.put(user, h.name));
      shared.refresh(mine);
      for (Map.Entry<String, String> gone : shared.expired()) {
        listener.offline(gone.getKey(), gone.getValue());
      }
    } catch (RuntimeException e) {
      log.warn("Presence: renewal failed: {}", e.toString());
    }
  }

  private void run(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: the server is stopping
    }
  }

  /**
   * Stops the thread and closes the shared store. Users held here are not released: with Redis
   * their leases expire, as for an instance that died (a graceful stop's clients reconnect
   * elsewhere within the lease, so they never appear offline).
   */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shared.close();
  }
}
