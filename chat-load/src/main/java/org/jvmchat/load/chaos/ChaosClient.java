package org.jvmchat.load.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.client.HubConnectionState;
import org.jvmchat.client.RetryPolicy;
import org.jvmchat.client.chat.RoomMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * One user of the chaos run on the project's Java client ({@code chat-client-java}): one connection
 * (its transport, protocol and stateful reconnect from {@link Kind}), one room, a {@code
 * SendMessage} every {@code 1/rate} s while connected, and a record of everything: each send and
 * its outcome, each {@code ReceiveMessage} (by id and {@code seq}), each time it was connected
 * (from a completed {@code JoinRoom} to the loss of the connection), each error it saw.
 */
final class ChaosClient {
  /** What a client speaks. */
  enum Kind {
    WS_JSON(HttpTransportType.WebSockets, false, false),
    WS_MSGPACK(HttpTransportType.WebSockets, true, false),
    WS_JSON_STATEFUL(HttpTransportType.WebSockets, false, true),
    WS_MSGPACK_STATEFUL(HttpTransportType.WebSockets, true, true),
    SSE_JSON(HttpTransportType.ServerSentEvents, false, false),
    LP_JSON(HttpTransportType.LongPolling, false, false),
    LP_MSGPACK(HttpTransportType.LongPolling, true, false);

    final HttpTransportType transport;
    final boolean msgpack;
    final boolean stateful;

    Kind(HttpTransportType transport, boolean msgpack, boolean stateful) {
      this.transport = transport;
      this.msgpack = msgpack;
      this.stateful = stateful;
    }

    String label() {
      String t =
          switch (transport) {
            case WebSockets -> "ws";
            case ServerSentEvents -> "sse";
            default -> "lp";
          };
      return t + "/" + (msgpack ? "msgpack" : "json") + (stateful ? "+stateful" : "");
    }
  }

  /** One {@code SendMessage}: when, and how it ended. */
  static final class Send {
    final String content;
    final long sentAt;
    volatile long ackedAt;
    volatile String messageId;
    volatile long seq;
    volatile String error;

    Send(String content, long sentAt) {
      this.content = content;
      this.sentAt = sentAt;
    }
  }

  /** A time the client was connected and in its room: [from, to), to = 0 while it lasts. */
  static final class Interval {
    final long from;
    volatile long to;

    /** When the last {@code ReceiveMessage} of this interval arrived (0: none). */
    volatile long lastHeard;

    Interval(long from) {
      this.from = from;
    }
  }

  /** A delivery: first arrival time and how many arrived. */
  record Delivery(long seq, long at) {}

  /** An error a user would have seen, and when. */
  record UserError(long at, String what) {}

  final int index;
  final String userId;
  final String roomId;
  final Kind kind;
  private final String token;
  private final String hubUrl;
  private final ChaosOptions options;
  private final Executor callbacks;
  private final ScheduledExecutorService ticker;
  private final String contentPrefix;
  private volatile HubConnection connection;

  final List<Send> sends = java.util.Collections.synchronizedList(new ArrayList<>());
  final Map<String, Delivery> received = new ConcurrentHashMap<>();

  /** Per duplicate: arrival time, {@code seq}, and when the first copy arrived. */
  final List<long[]> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());

  final List<Long> outOfOrder = java.util.Collections.synchronizedList(new ArrayList<>());
  final AtomicLong skippedDisconnected = new AtomicLong();
  final AtomicLong skippedBacklog = new AtomicLong();
  final List<Interval> intervals = java.util.Collections.synchronizedList(new ArrayList<>());
  final List<long[]> reconnects = java.util.Collections.synchronizedList(new ArrayList<>());
  final List<UserError> errors = java.util.Collections.synchronizedList(new ArrayList<>());

  /** Per delivery: arrival time and milliseconds since the message's {@code createdAt}. */
  final List<long[]> latencies = java.util.Collections.synchronizedList(new ArrayList<>());

  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicLong lastSeq = new AtomicLong();
  private volatile long lostAt;
  private volatile boolean sending;
  private volatile boolean stopped;
  private ScheduledFuture<?> tick;
  private int counter;

  ChaosClient(
      int index,
      String runId,
      String userId,
      String token,
      String roomId,
      Kind kind,
      String baseUrl,
      ChaosOptions options,
      Executor callbacks,
      ScheduledExecutorService ticker) {
    this.index = index;
    this.userId = userId;
    this.token = token;
    this.roomId = roomId;
    this.kind = kind;
    this.hubUrl = baseUrl + "/hubs/chat";
    this.options = options;
    this.callbacks = callbacks;
    this.ticker = ticker;
    this.contentPrefix = "chaos " + runId + " c" + index + " #";
  }

  private HubConnection build() {
    HubConnectionBuilder b =
        HubConnectionBuilder.create(hubUrl)
            .accessTokenProvider(() -> token)
            .transports(kind.transport)
            .protocol(kind.msgpack ? new MessagePackHubProtocol() : new JsonHubProtocol())
            .serverTimeout(options.clientTimeout)
            .keepAliveInterval(options.clientKeepAlive)
            .httpTimeout(options.clientHttpTimeout)
            .executor(callbacks)
            // the last seq seen goes on every (re)connect URL: the server gives what the room
            // received since (issue #26), whichever instance answers
            .queryParameters(
                () -> {
                  long last = lastSeq.get();
                  return last > 0 ? Map.of("lastSeq", roomId + ":" + last) : Map.of();
                })
            // never gives up while the run lasts: the run measures how long reconnecting takes
            .withAutomaticReconnect(
                (RetryPolicy)
                    ctx ->
                        stopped
                            ? null
                            : ctx.previousRetryCount() == 0
                                ? Duration.ZERO
                                : Duration.ofMillis(
                                    Math.min(2000, 250L << Math.min(3, ctx.previousRetryCount()))));
    if (kind.stateful) {
      b.withStatefulReconnect();
    }
    HubConnection c = b.build();
    c.on("ReceiveMessage", RoomMessage.class, this::onMessage);
    for (String ignored :
        List.of("UserJoined", "UserLeft", "UserOnline", "UserOffline", "UserTyping")) {
      c.on(ignored, Object.class, event -> {});
    }
    c.onReconnecting(
        e -> {
          lostAt = System.currentTimeMillis();
          endInterval(lostAt);
        });
    c.onReconnected(id -> join(lostAt));
    c.onClose(
        e -> {
          long now = System.currentTimeMillis();
          endInterval(now);
          if (stopped) {
            return;
          }
          error(now, "connection closed: " + (e == null ? "no error" : e.getMessage()));
          lostAt = now;
          // the retry policy never gives up, so this is a Close without allowReconnect: start
          // again,
          // as an application would
          ticker.schedule(() -> startAgain(now), 500, TimeUnit.MILLISECONDS);
        });
    return c;
  }

  /** Starts the connection and joins the room; the future completes once joined. */
  CompletableFuture<Void> start() {
    connection = build();
    return connection
        .start()
        .thenCompose(
            v -> connection.invoke(Object.class, "JoinRoom", roomId).thenApply(r -> (Void) null))
        .thenRun(() -> intervals.add(new Interval(System.currentTimeMillis())));
  }

  private void startAgain(long since) {
    if (stopped) {
      return;
    }
    HubConnection old = connection;
    old.close();
    connection = build();
    connection
        .start()
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                error(System.currentTimeMillis(), "start failed: " + rootMessage(e));
                ticker.schedule(() -> startAgain(since), 1000, TimeUnit.MILLISECONDS);
              } else {
                join(since);
              }
            });
  }

  private void join(long since) {
    HubConnection c = connection;
    c.invoke(Object.class, "JoinRoom", roomId)
        .whenComplete(
            (r, e) -> {
              long now = System.currentTimeMillis();
              if (e != null) {
                error(now, "JoinRoom failed: " + rootMessage(e));
                if (!stopped && c.state() == HubConnectionState.Connected) {
                  ticker.schedule(() -> join(since), 500, TimeUnit.MILLISECONDS);
                }
                return;
              }
              intervals.add(new Interval(now));
              if (since > 0) {
                reconnects.add(new long[] {since, now});
              }
            });
  }

  private void endInterval(long at) {
    synchronized (intervals) {
      if (!intervals.isEmpty()) {
        Interval last = intervals.get(intervals.size() - 1);
        if (last.to == 0) {
          last.to = at;
        }
      }
    }
  }

  private boolean inRoom() {
    synchronized (intervals) {
      return !intervals.isEmpty() && intervals.get(intervals.size() - 1).to == 0;
    }
  }

  void startSending() {
    sending = true;
    long periodMicros = (long) (1_000_000 / options.rate);
    long jitter = (long) (Math.random() * periodMicros);
    tick = ticker.scheduleAtFixedRate(this::sendOne, jitter, periodMicros, TimeUnit.MICROSECONDS);
  }

  private void sendOne() {
    if (!sending) {
      return;
    }
    HubConnection c = connection;
    if (c == null || c.state() != HubConnectionState.Connected || !inRoom()) {
      skippedDisconnected.incrementAndGet();
      return;
    }
    if (outstanding.get() >= options.window) {
      skippedBacklog.incrementAndGet();
      return;
    }
    Send s = new Send(contentPrefix + (++counter), System.currentTimeMillis());
    sends.add(s);
    outstanding.incrementAndGet();
    c.invoke(RoomMessage.class, "SendMessage", roomId, s.content)
        .whenComplete(
            (m, e) -> {
              outstanding.decrementAndGet();
              long now = System.currentTimeMillis();
              if (e != null) {
                s.error = rootMessage(e);
                error(now, "SendMessage failed: " + s.error);
              } else {
                s.messageId = m.id();
                s.seq = m.seq();
                s.ackedAt = now;
              }
            });
  }

  private void onMessage(RoomMessage m) {
    long now = System.currentTimeMillis();
    if (!roomId.equals(m.roomId())) {
      return;
    }
    synchronized (intervals) {
      // only while in the room: a new connection may deliver before its JoinRoom completed
      if (!intervals.isEmpty() && intervals.get(intervals.size() - 1).to == 0) {
        intervals.get(intervals.size() - 1).lastHeard = now;
      }
    }
    Delivery first = received.putIfAbsent(m.id(), new Delivery(m.seq(), now));
    if (first != null) {
      duplicates.add(new long[] {now, m.seq(), first.at()});
      return;
    }
    long prev = lastSeq.getAndAccumulate(m.seq(), Math::max);
    if (m.seq() < prev) {
      outOfOrder.add(now);
    }
    if (m.createdAt() != null) {
      latencies.add(new long[] {now, now - m.createdAt().toEpochMilli()});
    }
  }

  private void error(long at, String what) {
    errors.add(new UserError(at, what));
  }

  void stopSending() {
    sending = false;
    if (tick != null) {
      tick.cancel(false);
    }
  }

  String token() {
    return token;
  }

  int outstanding() {
    return outstanding.get();
  }

  /** Ends the connection; the last interval ends at {@code at}. */
  void close(long at) {
    stopped = true;
    endInterval(at);
    HubConnection c = connection;
    if (c != null) {
      c.close();
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null
        && (t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    String m = t.getMessage();
    String s = t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    return s.length() > 160 ? s.substring(0, 160) : s;
  }
}
