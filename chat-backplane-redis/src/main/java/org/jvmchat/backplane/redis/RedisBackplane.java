package org.jvmchat.backplane.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jvmchat.hub.spi.Backplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backplane} on Redis pub/sub (Lettuce): one connection publishes, one pub/sub connection
 * receives. Use it with {@link org.jvmchat.hub.spi.ScaleoutLifetimeManagers}:
 *
 * <pre>{@code
 * RedisBackplane backplane = RedisBackplane.create(System.getenv("REDIS_URL"), "myapp:");
 * HubServer server = HubServer.builder()
 *     .hub("/hubs/chat", ChatHub::new)
 *     .lifetimeManagerFactory(ScaleoutLifetimeManagers.factory(backplane))
 *     .build()
 *     .start();
 * ...
 * server.close();
 * backplane.close();
 * }</pre>
 *
 * <p>Faults never take the server down. If Redis is unreachable at start, {@link #create} still
 * returns and keeps trying in the background; if the connection is lost later, Lettuce reconnects
 * (delays from {@link RedisBackplaneOptions#reconnectDelayMin()} doubling to {@link
 * RedisBackplaneOptions#reconnectDelayMax()}) and every subscription is restored, including those
 * made during the outage. While Redis is unreachable {@link #isConnected()} is false, publishes
 * fail at once (they are not queued: a chat message delivered minutes late is worse than one
 * reported lost), and messages published by other instances are not received. Redis pub/sub is
 * at-most-once: what is published while a subscriber is disconnected is gone. Failed publishes are
 * counted ({@link #status()}) and logged at most every 10 s.
 */
public final class RedisBackplane implements Backplane {
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final long RESYNC_TICK_MILLIS = 250;
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final RedisBackplaneOptions options;
  private final String prefix;
  private final ClientResources resources;
  private final RedisClient client;
  private final ScheduledThreadPoolExecutor timer;

  private volatile StatefulRedisConnection<String, byte[]> publisher;
  private volatile StatefulRedisPubSubConnection<String, byte[]> subscriber;

  /** Wire channel (prefix included) → its subscriptions. Changes are made holding {@code this}. */
  private final Map<String, ChannelEntry> channels = new ConcurrentHashMap<>();

  /** Channels whose UNSUBSCRIBE could not be sent; retried after reconnect. Guarded by this. */
  private final Set<String> staleChannels = new HashSet<>();

  /** True once the subscriptions at Redis match {@link #channels} after a (re)connect. */
  private volatile boolean synced;

  private final AtomicBoolean resyncRunning = new AtomicBoolean();
  private final AtomicLong publishFailures = new AtomicLong();
  private final AtomicLong failuresAtLastLog = new AtomicLong();
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong connectAttempts = new AtomicLong();
  private volatile long disconnectedSince;
  private volatile String lastError;
  private volatile boolean closed;

  private static final class ChannelEntry {
    final List<RedisSubscription> subscriptions = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> confirmed = CompletableFuture.completedFuture(null);
  }

  private static final class RedisSubscription implements Subscription {
    final String channel;
    final String wireChannel;
    final Consumer<byte[]> handler;
    volatile boolean active = true;

    RedisSubscription(String channel, String wireChannel, Consumer<byte[]> handler) {
      this.channel = channel;
      this.wireChannel = wireChannel;
      this.handler = handler;
    }

    @Override
    public String channel() {
      return channel;
    }
  }

  private RedisBackplane(RedisBackplaneOptions options) {
    this.options = options;
    this.prefix = options.channelPrefix();
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(1)
            .reconnectDelay(
                Delay.exponential(
                    options.reconnectDelayMin(),
                    options.reconnectDelayMax(),
                    2,
                    TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // Fail fast while disconnected: nothing is queued to be delivered late, and no
            // unanswered command is retried after a reconnect (at-most-once, never twice).
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(options.connectTimeout()).build())
            .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
            .build());
    client.addListener(new ConnectionStates());
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "jvmchat-redis-backplane");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    this.disconnectedSince = System.nanoTime();
    connectPublisher(0);
    connectSubscriber(0);
    timer.scheduleWithFixedDelay(
        this::resyncIfNeeded, RESYNC_TICK_MILLIS, RESYNC_TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * A backplane on {@code redisUrl} ({@code redis://host:port[/db]}; null or blank means {@code
   * redis://127.0.0.1:6379}) whose channels all start with {@code channelPrefix}. Returns at once,
   * even when Redis is unreachable (it keeps trying).
   *
   * @throws IllegalArgumentException when the URL is malformed
   */
  public static RedisBackplane create(String redisUrl, String channelPrefix) {
    return create(RedisBackplaneOptions.builder(redisUrl).channelPrefix(channelPrefix).build());
  }

  /** A backplane with the given options; see {@link #create(String, String)}. */
  public static RedisBackplane create(RedisBackplaneOptions options) {
    return new RedisBackplane(options);
  }

  public RedisBackplaneOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- connecting

  private void connectPublisher(int attempt) {
    if (closed) {
      return;
    }
    client
        .connectAsync(CODEC, options.redisUri())
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                connectFailed("publish", error, attempt, () -> connectPublisher(attempt + 1));
              } else if (closed) {
                connection.closeAsync();
              } else {
                publisher = connection;
                connected("publish");
              }
            });
  }

  private void connectSubscriber(int attempt) {
    if (closed) {
      return;
    }
    client
        .connectPubSubAsync(CODEC, options.redisUri())
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                connectFailed("pub/sub", error, attempt, () -> connectSubscriber(attempt + 1));
              } else if (closed) {
                connection.closeAsync();
              } else {
                connection.addListener(new Deliverer());
                subscriber = connection;
                connected("pub/sub");
                resync();
              }
            });
  }

  private void connectFailed(String which, Throwable error, int attempt, Runnable retry) {
    lastError = error.toString();
    connectAttempts.incrementAndGet();
    if (attempt == 0) {
      log.warn(
          "Redis backplane: cannot open the {} connection to {} ({}); running without other"
              + " instances (local delivery continues) and retrying in the background",
          which,
          options.target(),
          rootMessage(error));
    } else {
      log.debug(
          "Redis backplane: {} connection attempt {} failed: {}", which, attempt, error.toString());
    }
    long delay =
        Math.min(
            options.reconnectDelayMax().toMillis(),
            options.reconnectDelayMin().toMillis() << Math.min(attempt, 16));
    try {
      timer.schedule(retry, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void connected(String which) {
    if (publisher != null && subscriber != null) {
      log.info("Redis backplane: connected to {} (channel prefix '{}')", options.target(), prefix);
    } else {
      log.debug("Redis backplane: {} connection open", which);
    }
  }

  /** Lettuce's connection events, for both connections. */
  private final class ConnectionStates implements RedisConnectionStateListener {
    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      if (closed) {
        return;
      }
      if (connection == subscriber) {
        // Lettuce resubscribes what Redis had confirmed; resync adds what changed meanwhile.
        reconnects.incrementAndGet();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - disconnectedSince);
        log.info(
            "Redis backplane: reconnected to {} after about {} s; {} publish(es) failed since"
                + " start. Messages published while disconnected were not delivered (at-most-once).",
            options.target(),
            seconds,
            publishFailures.get());
        triggerResync();
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (closed) {
        return;
      }
      if (connection == subscriber || connection == publisher) {
        if (synced || connection == publisher) {
          log.warn(
              "Redis backplane: lost the {} connection to {}; reconnecting. Until then this"
                  + " instance neither sends to nor receives from other instances.",
              connection == subscriber ? "pub/sub" : "publish",
              options.target());
        }
        if (connection == subscriber) {
          synced = false;
          disconnectedSince = System.nanoTime();
        }
      }
    }
  }

  /** Delivers messages from the pub/sub connection (on Lettuce's I/O thread, in order). */
  private final class Deliverer extends RedisPubSubAdapter<String, byte[]> {
    @Override
    public void message(String channel, byte[] message) {
      ChannelEntry entry = channels.get(channel);
      if (entry == null) {
        return;
      }
      for (RedisSubscription s : entry.subscriptions) {
        if (s.active) {
          try {
            s.handler.accept(message);
          } catch (RuntimeException e) {
            log.error("Redis backplane: a subscriber of '{}' failed", s.channel, e);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- Backplane

  @Override
  public CompletableFuture<Long> publish(String channel, byte[] payload) {
    StatefulRedisConnection<String, byte[]> connection = publisher;
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("The backplane is closed"));
    }
    CompletableFuture<Long> result;
    if (connection == null) {
      result =
          CompletableFuture.failedFuture(
              new IllegalStateException("Not connected to Redis at " + options.target()));
    } else {
      try {
        result = connection.async().publish(prefix + channel, payload).toCompletableFuture();
      } catch (RuntimeException e) {
        result = CompletableFuture.failedFuture(e);
      }
    }
    return result.whenComplete(
        (n, e) -> {
          if (e != null) {
            publishFailed(channel, e);
          }
        });
  }

  private void publishFailed(String channel, Throwable error) {
    lastError = error.toString();
    long total = publishFailures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(last, now)) {
      log.warn(
          "Redis backplane: {} publish(es) to {} failed in the last {} s ({} since start); those"
              + " messages reached no other instance. Last: channel '{}': {}",
          total - failuresAtLastLog.getAndSet(total),
          options.target(),
          TimeUnit.NANOSECONDS.toSeconds(LOG_INTERVAL_NANOS),
          total,
          channel,
          rootMessage(error));
    }
  }

  @Override
  public CompletableFuture<Subscription> subscribe(String channel, Consumer<byte[]> handler) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("The backplane is closed"));
    }
    String wire = prefix + channel;
    RedisSubscription s = new RedisSubscription(channel, wire, handler);
    CompletableFuture<Void> confirmed;
    synchronized (this) {
      ChannelEntry entry = channels.computeIfAbsent(wire, c -> new ChannelEntry());
      boolean first = entry.subscriptions.isEmpty();
      entry.subscriptions.add(s);
      staleChannels.remove(wire);
      if (first) {
        entry.confirmed = sendSubscribe(wire);
      }
      confirmed = entry.confirmed;
    }
    return confirmed.thenApply(v -> s);
  }

  // Called holding this: commands go out in the order the registry changed.
  private CompletableFuture<Void> sendSubscribe(String wire) {
    StatefulRedisPubSubConnection<String, byte[]> connection = subscriber;
    if (connection == null || !connection.isOpen()) {
      synced = false; // registered; the resync after (re)connecting subscribes it
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> sent;
    try {
      sent = connection.async().subscribe(wire).toCompletableFuture();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle(
        (v, e) -> {
          if (e != null) {
            synced = false;
            log.debug(
                "Redis backplane: SUBSCRIBE {} failed, retried on resync: {}", wire, e.toString());
          }
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> unsubscribe(Subscription subscription) {
    if (!(subscription instanceof RedisSubscription s)) {
      return CompletableFuture.completedFuture(null);
    }
    s.active = false;
    synchronized (this) {
      ChannelEntry entry = channels.get(s.wireChannel);
      if (entry == null || !entry.subscriptions.remove(s) || !entry.subscriptions.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      channels.remove(s.wireChannel);
      return sendUnsubscribe(s.wireChannel);
    }
  }

  // Called holding this.
  private CompletableFuture<Void> sendUnsubscribe(String wire) {
    StatefulRedisPubSubConnection<String, byte[]> connection = subscriber;
    if (closed || connection == null || !connection.isOpen()) {
      staleChannels.add(wire);
      synced = false;
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> sent;
    try {
      sent = connection.async().unsubscribe(wire).toCompletableFuture();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle(
        (v, e) -> {
          if (e != null) {
            synchronized (RedisBackplane.this) {
              if (!channels.containsKey(wire)) {
                staleChannels.add(wire);
              }
            }
            synced = false;
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- resync after reconnect

  private void resyncIfNeeded() {
    if (!synced) {
      resync();
    }
  }

  private void triggerResync() {
    synced = false;
    try {
      timer.execute(this::resync);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /**
   * Makes the subscriptions at Redis match the registry: SUBSCRIBE every registered channel
   * (idempotent at Redis) and UNSUBSCRIBE those dropped while disconnected. Retried every tick
   * until it succeeds.
   */
  private void resync() {
    StatefulRedisPubSubConnection<String, byte[]> connection = subscriber;
    if (closed || connection == null || !connection.isOpen() || publisher == null) {
      return;
    }
    if (!resyncRunning.compareAndSet(false, true)) {
      return;
    }
    String[] subscribe;
    String[] unsubscribe;
    synchronized (this) {
      subscribe = channels.keySet().toArray(String[]::new);
      List<String> stale = new ArrayList<>(staleChannels);
      stale.removeAll(channels.keySet());
      unsubscribe = stale.toArray(String[]::new);
      staleChannels.clear();
    }
    List<CompletableFuture<Void>> sent = new ArrayList<>(2);
    try {
      if (subscribe.length > 0) {
        sent.add(connection.async().subscribe(subscribe).toCompletableFuture());
      }
      if (unsubscribe.length > 0) {
        sent.add(connection.async().unsubscribe(unsubscribe).toCompletableFuture());
      }
    } catch (RuntimeException e) {
      sent.add(CompletableFuture.failedFuture(e));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              resyncRunning.set(false);
              if (e == null && connection.isOpen()) {
                synced = true;
                log.debug(
                    "Redis backplane: {} channel(s) subscribed, {} stale unsubscribed",
                    subscribe.length,
                    unsubscribe.length);
              } else {
                synchronized (RedisBackplane.this) {
                  for (String wire : unsubscribe) {
                    if (!channels.containsKey(wire)) {
                      staleChannels.add(wire);
                    }
                  }
                }
                log.debug("Redis backplane: resync failed, retrying: {}", String.valueOf(e));
              }
            });
  }

  // ---------------------------------------------------------------- health, close

  /** True when both connections are open and every subscription is active at Redis. */
  @Override
  public boolean isConnected() {
    StatefulRedisConnection<String, byte[]> p = publisher;
    StatefulRedisPubSubConnection<String, byte[]> s = subscriber;
    return !closed && synced && p != null && p.isOpen() && s != null && s.isOpen();
  }

  @Override
  public Status status() {
    return new Status(
        isConnected(), options.target(), publishFailures.get(), reconnects.get(), lastError);
  }

  /** Closes both connections and Lettuce's threads (waits at most about 4 s). Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    timer.shutdownNow();
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      log.debug("Redis backplane: closing the client failed: {}", e.toString());
    }
    try {
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("Redis backplane: closing Lettuce's resources failed: {}", e.toString());
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  @Override
  public String toString() {
    return "RedisBackplane[" + options.target() + ", prefix '" + prefix + "']";
  }
}
