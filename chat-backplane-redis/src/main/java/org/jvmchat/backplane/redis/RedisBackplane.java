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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jvmchat.hub.spi.Backplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backplane} on Redis pub/sub (Lettuce): one connection publishes, one pub/sub connection
 * receives. Channel names go to Redis as they are: the scale-out manager's {@link
 * org.jvmchat.hub.spi.ScaleoutOptions#channelPrefix()} is the one prefix that separates
 * applications sharing a Redis. Use it with {@link org.jvmchat.hub.spi.ScaleoutLifetimeManagers}:
 *
 * <pre>{@code
 * RedisBackplane backplane = RedisBackplane.create(System.getenv("REDIS_URL"));
 * HubServer server = HubServer.builder()
 *     .hub("/hubs/chat", ChatHub::new)
 *     .lifetimeManagerFactory(ScaleoutLifetimeManagers.factory(backplane, "myapp:"))
 *     .build()
 *     .start();
 * ...
 * server.close();
 * backplane.close();
 * }</pre>
 *
 * <p>An application that already has a Lettuce {@link RedisClient} passes it to {@link
 * #create(RedisClient, RedisBackplaneOptions)}: the backplane then opens its two connections on
 * that client and closes only those; the client, its options (reconnect delays, disconnected
 * behaviour) and its threads stay the caller's.
 *
 * <p>Faults never take the server down. If Redis is unreachable at start, {@code create} still
 * returns and opens the connections in the background (the one thing Lettuce does not retry by
 * itself). Once open, Lettuce reconnects a lost connection and re-subscribes what Redis had
 * confirmed; after each reconnect of the pub/sub connection this backplane only adds what changed
 * meanwhile (channels subscribed or dropped during the outage). While Redis is unreachable {@link
 * #isConnected()} is false, publishes fail at once with the backplane's own client (they are not
 * queued: a chat message delivered minutes late is worse than one reported lost), and messages
 * published by other instances are not received. Redis pub/sub is at-most-once: what is published
 * while a subscriber is disconnected is gone. Failed publishes are counted ({@link #status()}) and
 * logged at most every 10 s.
 *
 * <p>In the stream mode ({@link RedisBackplaneOptions.Builder#stream}) hub messages ({@link
 * #deliver}) go through one Redis stream instead: none is lost across an outage within the bound
 * (the stream's length, the publish buffer), each publisher's order is kept, none is handed on
 * twice; what falls outside the bound is counted ({@link #lostMessages()}) and logged. See {@code
 * RedisStream}.
 */
public final class RedisBackplane implements Backplane {
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final RedisBackplaneOptions options;
  private final RedisClient client;

  /** The client and resources this backplane created and shuts down; null for a caller's. */
  private final ClientResources ownResources;

  private final ConnectionStates states = new ConnectionStates();
  private volatile StatefulRedisConnection<String, byte[]> publisher;
  private volatile StatefulRedisPubSubConnection<String, byte[]> subscriber;

  /** The stream mode ({@link RedisBackplaneOptions#streamKey()}), or null for pub/sub only. */
  private final RedisStream stream;

  private volatile StatefulRedisConnection<String, byte[]> reader;

  /** Channel → its subscriptions. Changes are made holding {@code this}. */
  private final Map<String, ChannelEntry> channels = new ConcurrentHashMap<>();

  /** Channels whose UNSUBSCRIBE could not be sent; sent after reconnect. Guarded by this. */
  private final Set<String> staleChannels = new HashSet<>();

  /** True once the subscriptions at Redis match {@link #channels} after a (re)connect. */
  private volatile boolean synced;

  /**
   * Whether the pub/sub connection's socket is up (Lettuce's connected/disconnected events). It is
   * up a moment before Lettuce activates the connection ({@code isOpen()}) and accepts commands.
   */
  private volatile boolean subscriberLinked;

  private final AtomicBoolean reconcileScheduled = new AtomicBoolean();
  private final AtomicLong publishFailures = new AtomicLong();
  private final AtomicLong failuresAtLastLog = new AtomicLong();
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final AtomicLong reconnects = new AtomicLong();
  private volatile long disconnectedSince;
  private volatile String lastError;
  private volatile boolean closed;

  private static final class ChannelEntry {
    final List<RedisSubscription> subscriptions = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> confirmed = CompletableFuture.completedFuture(null);
  }

  private static final class RedisSubscription implements Subscription {
    final String channel;
    final Consumer<byte[]> handler;
    volatile boolean active = true;

    RedisSubscription(String channel, Consumer<byte[]> handler) {
      this.channel = channel;
      this.handler = handler;
    }

    @Override
    public String channel() {
      return channel;
    }
  }

  private RedisBackplane(
      RedisBackplaneOptions options, RedisClient client, ClientResources ownResources) {
    this.options = options;
    this.client = client;
    this.ownResources = ownResources;
    this.disconnectedSince = System.nanoTime();
    this.stream = options.streamKey() == null ? null : new RedisStream(options, new StreamHost());
    client.addListener(states);
    connect(0);
  }

  /**
   * A backplane on {@code redisUrl} ({@code redis://host:port[/db]}; null or blank means {@code
   * redis://127.0.0.1:6379}) with its own Lettuce client. Returns at once, even when Redis is
   * unreachable (it keeps trying).
   *
   * @throws IllegalArgumentException when the URL is malformed
   */
  public static RedisBackplane create(String redisUrl) {
    return create(RedisBackplaneOptions.builder(redisUrl).build());
  }

  /**
   * A backplane with its own Lettuce client and threads (shut down by {@link #close()}), made from
   * {@code options}; see {@link #create(String)}.
   */
  public static RedisBackplane create(RedisBackplaneOptions options) {
    return create(options, null);
  }

  /**
   * {@link #create(RedisBackplaneOptions)} whose client reports each command's latency to {@code
   * latencyRecorder} (e.g. Lettuce's {@code MicrometerCommandLatencyRecorder}, for the {@code
   * lettuce.command.completion} and {@code lettuce.command.firstresponse} timers); null records
   * nothing.
   */
  public static RedisBackplane create(
      RedisBackplaneOptions options,
      io.lettuce.core.metrics.CommandLatencyRecorder latencyRecorder) {
    DefaultClientResources.Builder builder = DefaultClientResources.builder();
    if (latencyRecorder != null) {
      builder.commandLatencyRecorder(latencyRecorder);
    }
    ClientResources resources =
        builder
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(1)
            .reconnectDelay(
                Delay.exponential(
                    options.reconnectDelayMin(),
                    options.reconnectDelayMax(),
                    2,
                    TimeUnit.MILLISECONDS))
            .build();
    RedisClient client = RedisClient.create(resources);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // Fail fast while disconnected: nothing is queued to be delivered late, and no
            // unanswered command is retried after a reconnect (at-most-once, never twice).
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(options.connectTimeout()).build())
            .timeoutOptions(
                TimeoutOptions.builder()
                    .timeoutCommands()
                    .timeoutSource(new StreamAwareTimeouts(options.commandTimeout()))
                    .build())
            .build());
    return new RedisBackplane(options, client, resources);
  }

  /**
   * A backplane on a Lettuce client the caller owns: its two connections go to {@code options}' URL
   * through {@code client}, whose options (auto-reconnect, reconnect delays, disconnected
   * behaviour) and resources apply. {@link #close()} closes the backplane's connections and leaves
   * {@code client} open. For a backplane that fails publishes at once while Redis is down, the
   * client should reject commands while disconnected ({@link
   * ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}); with Lettuce's default, publishes made
   * during an outage are queued and sent after it.
   */
  /**
   * The command timeout for every command but {@code XADD}: an {@code XADD} that timed out before
   * Lettuce wrote it would be skipped while later ones are written, reordering a publisher's stream
   * entries; the stream mode instead waits for Redis's answer or the connection's loss.
   */
  private static final class StreamAwareTimeouts extends TimeoutOptions.TimeoutSource {
    private final long millis;

    StreamAwareTimeouts(Duration timeout) {
      this.millis = timeout.toMillis();
    }

    @Override
    public long getTimeout(io.lettuce.core.protocol.RedisCommand<?, ?, ?> command) {
      return command.getType() == io.lettuce.core.protocol.CommandType.XADD ? 0 : millis;
    }

    @Override
    public TimeUnit getTimeUnit() {
      return TimeUnit.MILLISECONDS;
    }
  }

  public static RedisBackplane create(RedisClient client, RedisBackplaneOptions options) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(options, "options");
    return new RedisBackplane(options, client, null);
  }

  public RedisBackplaneOptions options() {
    return options;
  }

  /**
   * User group memberships kept in this Redis (sorted sets, on this backplane's publishing
   * connection), for {@link org.jvmchat.hub.spi.ScaleoutOptions.Builder#userGroupStore}: every
   * instance of the application passes its own backplane's store, and they share the memberships.
   * Its operations fail at once while Redis is unreachable.
   */
  public org.jvmchat.hub.spi.UserGroupStore userGroupStore() {
    return new RedisUserGroupStore(() -> closed ? null : publisher, java.time.Clock.systemUTC());
  }

  // ---------------------------------------------------------------- connecting

  /**
   * Opens both connections. Lettuce reconnects a connection once it was open, but does not retry
   * the first connect: while that fails this retries, with the delays of the options.
   */
  private void connect(int attempt) {
    if (closed) {
      return;
    }
    CompletableFuture<Void> pub =
        publisher != null
            ? CompletableFuture.completedFuture(null)
            : client
                .connectAsync(CODEC, options.redisUri())
                .thenAccept(c -> opened(c, null))
                .toCompletableFuture();
    CompletableFuture<Void> sub =
        subscriber != null
            ? CompletableFuture.completedFuture(null)
            : client
                .connectPubSubAsync(CODEC, options.redisUri())
                .thenAccept(c -> opened(null, c))
                .toCompletableFuture();
    CompletableFuture<Void> read =
        stream == null || reader != null
            ? CompletableFuture.completedFuture(null)
            : client
                .connectAsync(CODEC, options.redisUri())
                .thenAccept(this::readerOpened)
                .toCompletableFuture();
    CompletableFuture.allOf(pub, sub, read)
        .whenComplete(
            (v, error) -> {
              if (error == null) {
                log.info(
                    "Redis backplane: connected to {}{}",
                    options.target(),
                    stream == null ? "" : ", hub messages on stream '" + options.streamKey() + "'");
                reconcile();
                if (stream != null) {
                  stream.start();
                }
              } else {
                connectFailed(error, attempt);
              }
            });
  }

  private synchronized void opened(
      StatefulRedisConnection<String, byte[]> pub,
      StatefulRedisPubSubConnection<String, byte[]> sub) {
    if (closed) {
      if (pub != null) {
        pub.closeAsync();
      }
      if (sub != null) {
        sub.closeAsync();
      }
      return;
    }
    if (pub != null) {
      publisher = pub;
    }
    if (sub != null) {
      sub.addListener(new Deliverer());
      subscriberLinked = true;
      subscriber = sub;
    }
  }

  private synchronized void readerOpened(StatefulRedisConnection<String, byte[]> connection) {
    if (closed) {
      connection.closeAsync();
      return;
    }
    reader = connection;
  }

  /** What the stream mode needs from this backplane. */
  private final class StreamHost implements RedisStream.Host {
    @Override
    public StatefulRedisConnection<String, byte[]> publisher() {
      return publisher;
    }

    @Override
    public StatefulRedisConnection<String, byte[]> reader() {
      return reader;
    }

    @Override
    public void dispatch(String channel, byte[] payload) {
      RedisBackplane.this.dispatch(channel, payload);
    }

    @Override
    public void schedule(Runnable task, long delayMillis) {
      RedisBackplane.this.schedule(task, delayMillis);
    }

    @Override
    public long delayMillis(int attempt) {
      return RedisBackplane.this.delayMillis(attempt);
    }

    @Override
    public boolean closed() {
      return closed;
    }
  }

  private void connectFailed(Throwable error, int attempt) {
    lastError = error.toString();
    if (attempt == 0) {
      log.warn(
          "Redis backplane: cannot connect to {} ({}); running without other instances (local"
              + " delivery continues) and retrying in the background",
          options.target(),
          rootMessage(error));
    } else {
      log.debug("Redis backplane: connect attempt {} failed: {}", attempt, error.toString());
    }
    schedule(() -> connect(attempt + 1), delayMillis(attempt));
  }

  private long delayMillis(int attempt) {
    return Math.min(
        options.reconnectDelayMax().toMillis(),
        options.reconnectDelayMin().toMillis() << Math.min(attempt, 16));
  }

  /** Runs {@code task} later on Lettuce's own threads (this backplane starts none). */
  private void schedule(Runnable task, long delayMillis) {
    if (closed) {
      return;
    }
    try {
      client.getResources().eventExecutorGroup().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Lettuce's threads are shutting down: so is the client.
    }
  }

  /** Lettuce's connection events: for logs, health and re-announcing subscriptions. */
  private final class ConnectionStates implements RedisConnectionStateListener {
    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      if (closed || connection != subscriber) {
        return;
      }
      // Lettuce resubscribes what Redis had confirmed; reconcile adds what changed meanwhile.
      reconnects.incrementAndGet();
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - disconnectedSince);
      log.info(
          "Redis backplane: reconnected to {} after about {} s; {} publish(es) failed since"
              + " start. {}",
          options.target(),
          seconds,
          publishFailures.get(),
          stream == null
              ? "Messages published while disconnected were not delivered (at-most-once)."
              : "Hub messages of the outage are read from the stream ("
                  + stream.lost()
                  + " lost beyond the bound since start).");
      synced = false;
      subscriberLinked = true;
      scheduleReconcile(0);
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (closed) {
        return;
      }
      boolean sub = connection == subscriber;
      if (!sub && connection != publisher) {
        return; // another connection of a caller's client
      }
      if (synced || !sub) {
        log.warn(
            "Redis backplane: lost the {} connection to {}; reconnecting. Until then this"
                + " instance neither sends to nor receives from other instances.",
            sub ? "pub/sub" : "publish",
            options.target());
      }
      if (sub) {
        synced = false;
        subscriberLinked = false;
        disconnectedSince = System.nanoTime();
      }
    }
  }

  /** Delivers messages from the pub/sub connection (on Lettuce's I/O thread, in order). */
  private final class Deliverer extends RedisPubSubAdapter<String, byte[]> {
    @Override
    public void message(String channel, byte[] message) {
      dispatch(channel, message);
    }
  }

  /** Hands a payload to the channel's subscriptions (pub/sub and stream alike, in order). */
  private void dispatch(String channel, byte[] message) {
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
        result = connection.async().publish(channel, payload).toCompletableFuture();
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

  /**
   * In the stream mode ({@link RedisBackplaneOptions.Builder#stream}), adds the message to the
   * stream, keeping it while Redis does not answer (see the class comment); otherwise {@link
   * #publish}.
   */
  @Override
  public CompletableFuture<Void> deliver(String channel, byte[] payload) {
    if (stream == null) {
      return publish(channel, payload).thenApply(n -> null);
    }
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("The backplane is closed"));
    }
    return stream.deliver(channel, payload);
  }

  @Override
  public CompletableFuture<Subscription> subscribe(String channel, Consumer<byte[]> handler) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("The backplane is closed"));
    }
    RedisSubscription s = new RedisSubscription(channel, handler);
    CompletableFuture<Void> confirmed;
    synchronized (this) {
      ChannelEntry entry = channels.computeIfAbsent(channel, c -> new ChannelEntry());
      boolean first = entry.subscriptions.isEmpty();
      entry.subscriptions.add(s);
      staleChannels.remove(channel);
      if (first) {
        entry.confirmed = sendSubscribe(channel);
      }
      confirmed = entry.confirmed;
    }
    return confirmed.thenApply(v -> s);
  }

  // Called holding this: commands go out in the order the registry changed.
  private CompletableFuture<Void> sendSubscribe(String channel) {
    StatefulRedisPubSubConnection<String, byte[]> connection = subscriber;
    if (connection == null || !connection.isOpen()) {
      synced = false; // registered; reconciled once (re)connected
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> sent;
    try {
      sent = connection.async().subscribe(channel).toCompletableFuture();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle(
        (v, e) -> {
          if (e != null) {
            log.debug("Redis backplane: SUBSCRIBE {} failed: {}", channel, e.toString());
            outOfSync();
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
      ChannelEntry entry = channels.get(s.channel);
      if (entry == null || !entry.subscriptions.remove(s) || !entry.subscriptions.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      channels.remove(s.channel);
      return sendUnsubscribe(s.channel);
    }
  }

  // Called holding this.
  private CompletableFuture<Void> sendUnsubscribe(String channel) {
    StatefulRedisPubSubConnection<String, byte[]> connection = subscriber;
    if (closed || connection == null || !connection.isOpen()) {
      staleChannels.add(channel);
      synced = false;
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> sent;
    try {
      sent = connection.async().unsubscribe(channel).toCompletableFuture();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle(
        (v, e) -> {
          if (e != null) {
            synchronized (RedisBackplane.this) {
              if (!channels.containsKey(channel)) {
                staleChannels.add(channel);
              }
            }
            outOfSync();
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- after a reconnect

  /**
   * A SUBSCRIBE or UNSUBSCRIBE did not reach Redis. While the connection is down the reconnect
   * reconciles; when it is up (e.g. a timeout) reconcile again after a delay.
   */
  private void outOfSync() {
    synced = false;
    if (subscriberLinked) {
      scheduleReconcile(options.reconnectDelayMin().toMillis());
    }
  }

  private void scheduleReconcile(long delayMillis) {
    if (reconcileScheduled.compareAndSet(false, true)) {
      schedule(
          () -> {
            reconcileScheduled.set(false);
            reconcile();
          },
          delayMillis);
    }
  }

  /**
   * Makes the subscriptions at Redis match the registry: SUBSCRIBE every registered channel
   * (idempotent at Redis) and UNSUBSCRIBE those dropped while disconnected. Runs once when the
   * pub/sub connection first opens and once after each reconnect (Lettuce's event); if it cannot go
   * through (the connection is not activated yet, a command timed out) it is tried again after the
   * minimum reconnect delay for as long as the link is up. A new loss ends that: the next reconnect
   * starts it again. No periodic polling.
   */
  private void reconcile() {
    StatefulRedisPubSubConnection<String, byte[]> connection = subscriber;
    if (closed || connection == null || publisher == null) {
      return;
    }
    if (!connection.isOpen()) {
      // Reconnected but not activated yet (or lost again): try again while the link is up.
      outOfSync();
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
              if (e == null && connection.isOpen()) {
                synced = true;
                log.debug(
                    "Redis backplane: {} channel(s) subscribed, {} stale unsubscribed",
                    subscribe.length,
                    unsubscribe.length);
                return;
              }
              synchronized (RedisBackplane.this) {
                for (String channel : unsubscribe) {
                  if (!channels.containsKey(channel)) {
                    staleChannels.add(channel);
                  }
                }
              }
              log.debug("Redis backplane: reconciling failed: {}", String.valueOf(e));
              outOfSync();
            });
  }

  // ---------------------------------------------------------------- health, close

  /** True when both connections are open and every subscription is active at Redis. */
  @Override
  public boolean isConnected() {
    StatefulRedisConnection<String, byte[]> p = publisher;
    StatefulRedisPubSubConnection<String, byte[]> s = subscriber;
    return !closed
        && synced
        && p != null
        && p.isOpen()
        && s != null
        && s.isOpen()
        && (stream == null || stream.readerUp());
  }

  /** Whether hub messages go through the stream ({@link RedisBackplaneOptions#streamKey()}). */
  public boolean streamMode() {
    return stream != null;
  }

  /**
   * Stream mode: messages lost beyond the bound since start: dropped from this publisher's full
   * buffer plus those of other instances this one never read (trimmed from the stream while it was
   * cut off). Always 0 in pub/sub mode, where losses are not detected (see {@link #status()}'s
   * publish failures).
   */
  public long lostMessages() {
    return stream == null ? 0 : stream.lost();
  }

  /** Stream mode: messages this instance keeps now because Redis did not take them yet. */
  public int bufferedMessages() {
    return stream == null ? 0 : stream.buffered();
  }

  /** Stream mode: entries read twice (re-sent after an unanswered XADD) and skipped. */
  public long duplicatesSkipped() {
    return stream == null ? 0 : stream.duplicatesSkipped();
  }

  @Override
  public Status status() {
    return new Status(
        isConnected(), options.target(), publishFailures.get(), reconnects.get(), lastError);
  }

  /**
   * Closes both connections and, when this backplane made its own client, the client and Lettuce's
   * threads (waits at most about 4 s). A caller's client stays open. Idempotent.
   */
  @Override
  public void close() {
    StatefulRedisConnection<String, byte[]> pub;
    StatefulRedisPubSubConnection<String, byte[]> sub;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      pub = publisher;
      sub = subscriber;
    }
    client.removeListener(states);
    if (ownResources == null) {
      closeQuietly(reader);
      closeQuietly(sub);
      closeQuietly(pub);
      return;
    }
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      log.debug("Redis backplane: closing the client failed: {}", e.toString());
    }
    try {
      ownResources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("Redis backplane: closing Lettuce's resources failed: {}", e.toString());
    }
  }

  private static void closeQuietly(io.lettuce.core.api.StatefulConnection<?, ?> connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.closeAsync().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("Redis backplane: closing a connection failed: {}", e.toString());
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
    return "RedisBackplane[" + options.target() + "]";
  }
}
