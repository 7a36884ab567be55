package org.jvmchat.client.chat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.Subscription;

/**
 * Every message of the rooms you follow, exactly once and in {@code seq} order, whatever the
 * connection lost on the way (an automatic reconnect to a new connection, a server restart, another
 * instance taking over, a stateful-reconnect buffer that overflowed, Server-Sent Events or long
 * polling, a machine that slept). Opt-in per room:
 *
 * <pre>{@code
 * RoomRecovery recovery = RoomRecovery.builder(connection, URI.create("https://chat.example"))
 *     .accessTokenProvider(tokens::current)
 *     .onError((roomId, error) -> log.warn("catching up {}", roomId, error)) // retried
 *     .build();
 * connection.start().join();
 * connection.invoke(Object.class, "JoinRoom", roomId).join();
 * recovery.follow(roomId, lastSeqShown, message -> show(message));
 * }</pre>
 *
 * <p>A {@code ReceiveMessage} of a followed room with {@code seq} = last + 1 is handed on at once;
 * {@code seq} ≤ last is a duplicate and dropped; a larger one is a gap: newer messages wait (at
 * most {@link Builder#maxPending} per room; beyond that they are dropped and fetched again) while
 * the missing ones are fetched from {@code GET /api/v1/rooms/{id}/messages?after=<seq>}. After
 * every automatic reconnect ({@code onReconnected}) it invokes {@code JoinRoom} for each followed
 * room — the new connection is then surely in the room's group — and fetches what came after the
 * last {@code seq}. After you start a closed connection again yourself, call {@link #catchUp()}.
 * Failed fetches are retried with backoff (0.25 s doubling to 5 s) until they succeed or the room
 * is unfollowed; {@code onError} hears of each failure. Messages with {@code seq} 0 (notices for
 * you alone, not stored) are handed on at once.
 *
 * <p>Listeners run one at a time per room, on the connection's handler lane or on this object's one
 * thread; they must not block. {@link #close()} stops the thread and removes the handlers.
 */
public final class RoomRecovery implements AutoCloseable {
  /** Messages per history request: {@value}. */
  public static final int PAGE_SIZE = 200;

  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final Duration LAST_RETRY = Duration.ofSeconds(5);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

  private final HubConnection connection;
  private final HttpUrl base;
  private final Supplier<String> tokens;
  private final OkHttpClient http;
  private final boolean ownHttp;
  private final BiConsumer<String, Throwable> onError;
  private final int maxPending;
  private final ObjectMapper mapper =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final ScheduledExecutorService worker;
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Subscription receive;
  private final Subscription reconnected;
  private volatile boolean closed;

  private RoomRecovery(Builder b) {
    this.connection = b.connection;
    this.base = HttpUrl.get(b.baseUrl.toString());
    this.tokens = b.tokens;
    this.ownHttp = b.http == null;
    this.http = b.http != null ? b.http : new OkHttpClient();
    this.onError = b.onError;
    this.maxPending = b.maxPending;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "room-recovery");
              t.setDaemon(true);
              return t;
            });
    this.receive = connection.on("ReceiveMessage", RoomMessage.class, this::received);
    this.reconnected = connection.onReconnected(id -> catchUp());
  }

  /**
   * @param baseUrl where the server's REST API is ({@code /api/v1} is appended), usually the hub
   *     URL without its path
   */
  public static Builder builder(HubConnection connection, URI baseUrl) {
    return new Builder(connection, baseUrl);
  }

  /**
   * Follows a room from {@code lastSeq} (the {@code seq} of the newest message already shown; 0 =
   * none): {@code listener} gets everything after it, in order, once. Starts fetching what came
   * after {@code lastSeq} at once; the future completes when that first catch-up is done.
   */
  public CompletableFuture<Void> follow(
      String roomId, long lastSeq, Consumer<RoomMessage> listener) {
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(listener, "listener");
    if (lastSeq < 0) {
      throw new IllegalArgumentException("lastSeq must be 0 or more (was " + lastSeq + ")");
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    Room room = new Room(roomId, lastSeq, listener);
    if (rooms.putIfAbsent(roomId, room) != null) {
      throw new IllegalStateException("room " + roomId + " is followed already");
    }
    return room.catchUp(false);
  }

  /** Stops following the room; its messages are then ignored here. */
  public void unfollow(String roomId) {
    rooms.remove(roomId);
  }

  /** The {@code seq} of the newest message handed on in the room; empty when not followed. */
  public OptionalLong lastSeq(String roomId) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return OptionalLong.empty();
    }
    synchronized (room) {
      return OptionalLong.of(room.last);
    }
  }

  /**
   * The chat server's {@code lastSeq} connect parameter for the followed rooms ({@code
   * roomId:seq,...}, the last {@code seq} handed on in each), for {@link
   * org.jvmchat.client.HubConnectionBuilder#queryParameters}: a reconnect, to any instance, is then
   * given by the server what each room received meanwhile, before anything newer. Empty map when no
   * room is followed.
   */
  public java.util.Map<String, String> lastSeqQuery() {
    StringBuilder b = new StringBuilder();
    for (Room room : rooms.values()) {
      long last;
      synchronized (room) {
        last = room.last;
      }
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(room.id).append(':').append(last);
    }
    return b.length() == 0 ? java.util.Map.of() : java.util.Map.of("lastSeq", b.toString());
  }

  /**
   * Rejoins every followed room and fetches what each missed: after a new connection (this runs by
   * itself after every automatic reconnect).
   */
  public CompletableFuture<Void> catchUp() {
    return CompletableFuture.allOf(
        rooms.values().stream().map(r -> r.catchUp(true)).toArray(CompletableFuture[]::new));
  }

  @Override
  public void close() {
    closed = true;
    receive.close();
    reconnected.close();
    rooms.clear();
    worker.shutdownNow();
    if (ownHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private void received(RoomMessage message) {
    Room room = message == null ? null : rooms.get(message.roomId());
    if (room != null) {
      room.received(message);
    }
  }

  private MessagesAfter fetch(String roomId, long after) throws IOException {
    HttpUrl url =
        base.newBuilder()
            .addPathSegments("api/v1/rooms")
            .addPathSegment(roomId)
            .addPathSegment("messages")
            .addQueryParameter("after", Long.toString(after))
            .addQueryParameter("limit", Integer.toString(PAGE_SIZE))
            .build();
    Request.Builder request = new Request.Builder().url(url).get();
    if (tokens != null) {
      String token = tokens.get();
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
    }
    try (Response response = http.newCall(request.build()).execute()) {
      ResponseBody body = response.body();
      String text = body == null ? "" : body.string();
      if (!response.isSuccessful()) {
        throw new IOException(
            "GET messages after " + after + " answered " + response.code() + ": " + text);
      }
      return mapper.readValue(text, MessagesAfter.class);
    }
  }

  /** The answer of {@code ?after=}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record MessagesAfter(
      @JsonProperty("items") List<RoomMessage> items, @JsonProperty("nextAfter") Long nextAfter) {}

  /** One followed room; its fields are guarded by its monitor. */
  private final class Room {
    final String id;
    final Consumer<RoomMessage> listener;
    final TreeMap<Long, RoomMessage> pending = new TreeMap<>();
    long last;
    boolean running;
    boolean again;
    boolean needsJoin;
    Duration retry = FIRST_RETRY;
    CompletableFuture<Void> done = new CompletableFuture<>();

    Room(String id, long last, Consumer<RoomMessage> listener) {
      this.id = id;
      this.last = last;
      this.listener = listener;
    }

    synchronized void received(RoomMessage m) {
      if (m.seq() <= 0) {
        deliver(m);
        return;
      }
      if (m.seq() <= last) {
        return; // a duplicate
      }
      if (!running && m.seq() == last + 1) {
        last = m.seq();
        deliver(m);
        return;
      }
      if (pending.size() < maxPending) {
        pending.put(m.seq(), m);
      }
      if (!running) {
        start();
      }
    }

    synchronized CompletableFuture<Void> catchUp(boolean join) {
      needsJoin |= join;
      if (running) {
        again = true;
        return done;
      }
      start();
      return done;
    }

    /** Under the monitor. */
    private void start() {
      running = true;
      if (done.isDone()) {
        done = new CompletableFuture<>();
      }
      schedule(Duration.ZERO);
    }

    private void schedule(Duration delay) {
      try {
        worker.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed
      }
    }

    private boolean live() {
      return !closed && rooms.get(id) == this;
    }

    /** On the worker: one catch-up round; reschedules itself while there is more to do. */
    private void run() {
      boolean join;
      long after;
      synchronized (this) {
        again = false;
        join = needsJoin;
        needsJoin = false;
        after = last;
      }
      try {
        if (join && live()) {
          try {
            connection
                .invoke(Object.class, "JoinRoom", id)
                .get(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (Exception e) {
            synchronized (this) {
              needsJoin = true;
            }
            throw e;
          }
        }
        while (live()) {
          MessagesAfter page = fetch(id, after);
          synchronized (this) {
            for (RoomMessage m : page.items()) {
              if (m.seq() == last + 1) {
                last = m.seq();
                pending.remove(m.seq());
                deliver(m);
              }
            }
            after = last;
          }
          if (page.items().isEmpty() || page.nextAfter() == null) {
            break;
          }
        }
        synchronized (this) {
          drain();
          retry = FIRST_RETRY;
          if (!pending.isEmpty()) {
            again = true; // newer than the store gave: committed by now, fetch again shortly
          }
          if (again && live()) {
            schedule(Duration.ofMillis(pending.isEmpty() ? 0 : 50));
            return;
          }
          running = false;
          done.complete(null);
        }
      } catch (Exception e) {
        if (!live()) {
          synchronized (this) {
            running = false;
            done.complete(null);
          }
          return;
        }
        onError.accept(id, e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e);
        synchronized (this) {
          Duration wait = retry;
          retry =
              retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
          schedule(wait);
        }
      }
    }

    /** Under the monitor: hands on the pending messages that now follow the last one. */
    private void drain() {
      pending.headMap(last, true).clear();
      for (RoomMessage next = pending.remove(last + 1);
          next != null;
          next = pending.remove(last + 1)) {
        last = next.seq();
        deliver(next);
      }
    }

    private void deliver(RoomMessage m) {
      try {
        listener.accept(m);
      } catch (RuntimeException e) {
        onError.accept(id, e);
      }
    }
  }

  /** Settings of a {@link RoomRecovery}. */
  public static final class Builder {
    private final HubConnection connection;
    private final URI baseUrl;
    private Supplier<String> tokens;
    private OkHttpClient http;
    private BiConsumer<String, Throwable> onError = (room, error) -> {};
    private int maxPending = 10_000;

    private Builder(HubConnection connection, URI baseUrl) {
      this.connection = Objects.requireNonNull(connection, "connection");
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    }

    /** The bearer token of the REST requests (usually the connection's own provider). */
    public Builder accessTokenProvider(Supplier<String> provider) {
      this.tokens = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /** The HTTP client of the REST requests; left open by {@link #close()}. Default: its own. */
    public Builder httpClient(OkHttpClient client) {
      this.http = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Hears of each failed catch-up attempt (it is retried) and of listeners that threw. */
    public Builder onError(BiConsumer<String, Throwable> listener) {
      this.onError = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Most newer messages kept per room while the missing ones are fetched (default 10,000); more
     * are dropped and fetched again.
     */
    public Builder maxPending(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxPending must be at least 1 (was " + max + ")");
      }
      this.maxPending = max;
      return this;
    }

    public RoomRecovery build() {
      return new RoomRecovery(this);
    }
  }
}
