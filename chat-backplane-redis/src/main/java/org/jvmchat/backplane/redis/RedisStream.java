package org.jvmchat.backplane.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream mode of {@link RedisBackplane}: hub messages go into one Redis stream ({@code XADD
 * MAXLEN ~}) that every instance reads from the last entry it read, like Socket.IO's Redis Streams
 * adapter.
 *
 * <p><b>Publishing.</b> Each message gets this publisher's next sequence number and waits in a
 * bounded queue until Redis acknowledged its {@code XADD}; the {@code XADD}s are pipelined on the
 * publish connection in sequence order. When one fails (Redis unreachable, connection lost), the
 * queue stops sending and is re-sent from its oldest unacknowledged message, in order, once the
 * connection is open again. The queue holds at most {@code publishBuffer} messages: beyond it the
 * oldest is dropped, counted and logged.
 *
 * <p><b>Reading.</b> One blocking {@code XREAD} at a time on a connection of its own, from the last
 * id read; entries are handed to the subscriptions of their channel on Lettuce's I/O thread, in
 * stream order. Each entry carries its publisher ({@code o}) and sequence number ({@code s}): an
 * entry whose number was seen already is a duplicate (a re-sent {@code XADD} whose first answer was
 * lost) and skipped; a jump is a loss (trimmed by {@code MAXLEN} while this instance was cut off,
 * or dropped by a full publisher queue), counted and logged, unless the missing entry still comes
 * later (then it is handed on late, and no longer counted). The backplane's own client gives {@code
 * XADD} no client-side timeout, so entries of one publisher reach the stream in its order. After an
 * error the reader resumes from the same id; if the stream was recreated (Redis restarted empty) it
 * starts again from its beginning.
 */
final class RedisStream {
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int READ_COUNT = 512;
  private static final int ORIGINS_REMEMBERED = 4096;
  private static final int MISSING_REMEMBERED = 4096;

  /** What the backplane gives the stream: connections, delivery and scheduling. */
  interface Host {
    StatefulRedisConnection<String, byte[]> publisher();

    StatefulRedisConnection<String, byte[]> reader();

    void dispatch(String channel, byte[] payload);

    void schedule(Runnable task, long delayMillis);

    long delayMillis(int attempt);

    boolean closed();
  }

  private static final class Pending {
    final long seq;
    final String channel;
    final byte[] payload;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    boolean sent;

    Pending(long seq, String channel, byte[] payload) {
      this.seq = seq;
      this.channel = channel;
      this.payload = payload;
    }
  }

  private final RedisBackplaneOptions options;
  private final Host host;
  private final String key;
  private final byte[] origin = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
  private final XAddArgs addArgs;
  private final long blockMillis;

  // publishing; guarded by this
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long nextSeq;
  private int generation;
  private boolean blocked;
  private boolean flushScheduled;
  private int inFlight;

  // reading; on the reader's callbacks only, one at a time
  private volatile String lastId;
  private volatile boolean readerUp;
  private int readAttempt;
  private final Map<String, Publisher> publishers =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Publisher> eldest) {
          return size() > ORIGINS_REMEMBERED;
        }
      };

  /**
   * What this reader saw of one publisher: its highest number, and the numbers below it not seen
   * yet (the newest {@value #MISSING_REMEMBERED}), which may still come late.
   */
  private static final class Publisher {
    long last;
    final java.util.TreeSet<Long> missing = new java.util.TreeSet<>();

    Publisher(long last) {
      this.last = last;
    }
  }

  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong missed = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong lostAtLastLog = new AtomicLong();
  private final AtomicLong lastLossLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private volatile String lastError;

  RedisStream(RedisBackplaneOptions options, Host host) {
    this.options = options;
    this.host = host;
    this.key = options.streamKey();
    this.addArgs = XAddArgs.Builder.maxlen(options.streamMaxLength()).approximateTrimming();
    this.blockMillis = Math.max(50, Math.min(1000, options.commandTimeout().toMillis() / 2));
  }

  // ---------------------------------------------------------------- publishing

  /**
   * Queues the message and sends it now if nothing older waits. Completes once Redis took it or,
   * when it could not, once it is kept for later (a send never waits for an outage to end).
   */
  CompletableFuture<Void> deliver(String channel, byte[] payload) {
    Pending p;
    synchronized (this) {
      p = new Pending(++nextSeq, channel, payload);
      // The bound holds what Redis did not take: while connected the queue only holds XADDs in
      // flight (answered or failed within the command timeout), which are not dropped.
      if (blocked && queue.size() - inFlight >= options.publishBuffer()) {
        Pending oldest = oldestUnsent();
        oldest.done.complete(null);
        dropped.incrementAndGet();
        lossLogged(
            "dropped by this publisher (its buffer of " + options.publishBuffer() + " is full)");
      }
      queue.addLast(p);
      StatefulRedisConnection<String, byte[]> connection = host.publisher();
      boolean open = connection != null && connection.isOpen();
      // More than the buffer unanswered: Redis is slow or stuck; keep the rest until it answers.
      boolean backlog = inFlight >= options.publishBuffer();
      if (!blocked && !backlog && open) {
        send(p, connection);
      } else {
        p.done.complete(null); // kept
        blocked = true;
        if (!open || !backlog) {
          scheduleFlush(0); // the flush waits for the connection; a backlog drains by answers
        }
      }
    }
    return p.done;
  }

  // Holding this.
  private void send(Pending p, StatefulRedisConnection<String, byte[]> connection) {
    p.sent = true;
    inFlight++;
    int gen = generation;
    Map<String, byte[]> body = new LinkedHashMap<>(8);
    body.put("o", origin);
    body.put("s", Long.toString(p.seq).getBytes(StandardCharsets.US_ASCII));
    body.put("c", p.channel.getBytes(StandardCharsets.UTF_8));
    body.put("p", p.payload);
    CompletableFuture<String> added;
    try {
      added = connection.async().xadd(key, addArgs, body).toCompletableFuture();
    } catch (RuntimeException e) {
      added = CompletableFuture.failedFuture(e);
    }
    added.whenComplete((id, e) -> sent(p, gen, e));
  }

  private synchronized void sent(Pending p, int gen, Throwable error) {
    inFlight--;
    if (error == null) {
      if (queue.peekFirst() == p) {
        queue.pollFirst();
      } else {
        queue.remove(p);
      }
      p.done.complete(null);
      if (blocked && inFlight <= options.publishBuffer() / 2) {
        scheduleFlush(0); // a backlog drained (or the connection is back): send what waits
      }
      return;
    }
    p.done.complete(null); // kept: re-sent in order once Redis answers
    if (gen != generation || !queue.contains(p)) {
      return; // an older round failing, or already in Redis by another round
    }
    lastError = error.toString();
    generation++;
    blocked = true;
    for (Pending q : queue) {
      q.sent = false;
    }
    log.debug("Redis backplane: XADD failed ({}); keeping {} message(s)", error, queue.size());
    scheduleFlush(options.reconnectDelayMin().toMillis());
  }

  // Holding this: the oldest message not in flight (after a failure, the head).
  private Pending oldestUnsent() {
    for (java.util.Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
      Pending q = it.next();
      if (!q.sent) {
        it.remove();
        return q;
      }
    }
    return queue.pollFirst();
  }

  // Holding this.
  private void scheduleFlush(long delayMillis) {
    if (!flushScheduled) {
      flushScheduled = true;
      host.schedule(this::flush, delayMillis);
    }
  }

  /** Sends what waits, oldest first, once the publish connection is open again. */
  private synchronized void flush() {
    flushScheduled = false;
    if (host.closed() || !blocked) {
      return;
    }
    StatefulRedisConnection<String, byte[]> connection = host.publisher();
    if (connection == null || !connection.isOpen()) {
      scheduleFlush(options.reconnectDelayMin().toMillis());
      return;
    }
    blocked = false;
    int waiting = queue.size();
    if (waiting > 0) {
      log.info(
          "Redis backplane: Redis answers again; sending {} kept message(s) in order", waiting);
    }
    for (Pending q : queue) {
      if (blocked) {
        break;
      }
      if (!q.sent) {
        send(q, connection);
      }
    }
  }

  // ---------------------------------------------------------------- reading

  /** Starts reading once the reader connection is open: from the stream's end the first time. */
  void start() {
    if (lastId != null) {
      read();
      return;
    }
    StatefulRedisConnection<String, byte[]> reader = host.reader();
    if (reader == null || host.closed()) {
      return;
    }
    lastEntryId(reader)
        .whenComplete(
            (id, e) -> {
              if (e != null) {
                readFailed(e);
                return;
              }
              lastId = id == null ? "0-0" : id;
              readerUp = true;
              read();
            });
  }

  private CompletableFuture<String> lastEntryId(StatefulRedisConnection<String, byte[]> reader) {
    try {
      return reader
          .async()
          .xrevrange(key, Range.unbounded(), Limit.create(0, 1))
          .toCompletableFuture()
          .thenApply(list -> list == null || list.isEmpty() ? null : list.get(0).getId());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void read() {
    StatefulRedisConnection<String, byte[]> reader = host.reader();
    if (reader == null || host.closed()) {
      return;
    }
    CompletableFuture<List<StreamMessage<String, byte[]>>> next;
    try {
      next =
          reader
              .async()
              .xread(
                  XReadArgs.Builder.block(blockMillis).count(READ_COUNT),
                  XReadArgs.StreamOffset.from(key, lastId))
              .toCompletableFuture();
    } catch (RuntimeException e) {
      next = CompletableFuture.failedFuture(e);
    }
    next.whenComplete(
        (entries, e) -> {
          if (e != null) {
            readFailed(e);
            return;
          }
          readerUp = true;
          readAttempt = 0;
          if (entries != null) {
            for (StreamMessage<String, byte[]> m : entries) {
              handle(m);
              lastId = m.getId();
            }
          }
          read();
        });
  }

  private void readFailed(Throwable error) {
    if (host.closed()) {
      return;
    }
    if (readerUp) {
      log.warn(
          "Redis backplane: reading the stream '{}' failed ({}); resuming after entry {} when"
              + " Redis answers",
          key,
          error.toString(),
          lastId);
    }
    readerUp = false;
    lastError = error.toString();
    host.schedule(this::resume, Math.min(1000, host.delayMillis(readAttempt++)));
  }

  /** After an error: from the same id, unless the stream now ends before it (recreated). */
  private void resume() {
    StatefulRedisConnection<String, byte[]> reader = host.reader();
    if (reader == null || host.closed()) {
      return;
    }
    if (lastId == null) {
      start();
      return;
    }
    lastEntryId(reader)
        .whenComplete(
            (id, e) -> {
              if (e != null) {
                readFailed(e);
                return;
              }
              if (id == null || compareIds(id, lastId) < 0) {
                log.warn(
                    "Redis backplane: the stream '{}' ends before entry {} (Redis restarted"
                        + " without it?); reading it from its beginning",
                    key,
                    lastId);
                lastId = "0-0";
              }
              readerUp = true;
              readAttempt = 0;
              read();
            });
  }

  private void handle(StreamMessage<String, byte[]> m) {
    Map<String, byte[]> body = m.getBody();
    byte[] o = body.get("o");
    byte[] s = body.get("s");
    byte[] c = body.get("c");
    byte[] p = body.get("p");
    if (o == null || s == null || c == null || p == null) {
      return; // not ours
    }
    String from = new String(o, StandardCharsets.US_ASCII);
    long seq;
    try {
      seq = Long.parseLong(new String(s, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return;
    }
    Publisher pub = publishers.get(from);
    if (pub == null) {
      pub = new Publisher(seq - 1);
      publishers.put(from, pub);
    }
    boolean own = Arrays.equals(o, origin);
    if (seq <= pub.last) {
      if (!pub.missing.remove(seq)) {
        duplicates.incrementAndGet();
        return;
      }
      // Late: an entry Redis took after a newer one of its publisher (after a failed round).
      if (!own) {
        missed.decrementAndGet();
      }
    } else {
      if (seq > pub.last + 1 && !own) {
        // (this instance's own entries reached its connections directly: not a loss for them)
        missed.addAndGet(seq - pub.last - 1);
        lossLogged(
            "missed by this instance (trimmed from the stream of "
                + options.streamMaxLength()
                + " entries while it was cut off, or dropped by their publisher)");
      }
      for (long s2 = Math.max(pub.last + 1, seq - MISSING_REMEMBERED); s2 < seq; s2++) {
        pub.missing.add(s2);
      }
      while (pub.missing.size() > MISSING_REMEMBERED) {
        pub.missing.pollFirst();
      }
      pub.last = seq;
    }
    host.dispatch(new String(c, StandardCharsets.UTF_8), p);
  }

  static int compareIds(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    long ma = Long.parseLong(da < 0 ? a : a.substring(0, da));
    long mb = Long.parseLong(db < 0 ? b : b.substring(0, db));
    if (ma != mb) {
      return Long.compare(ma, mb);
    }
    long sa = da < 0 ? 0 : Long.parseLong(a.substring(da + 1));
    long sb = db < 0 ? 0 : Long.parseLong(b.substring(db + 1));
    return Long.compare(sa, sb);
  }

  private void lossLogged(String how) {
    long total = lost();
    long now = System.nanoTime();
    long last = lastLossLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastLossLog.compareAndSet(last, now)) {
      log.warn(
          "Redis backplane: {} message(s) lost beyond the bound in the last {} s ({} since"
              + " start), last {}; raise the stream's maxLength / the publish buffer to survive"
              + " longer outages",
          total - lostAtLastLog.getAndSet(total),
          TimeUnit.NANOSECONDS.toSeconds(LOG_INTERVAL_NANOS),
          total,
          how);
    }
  }

  // ---------------------------------------------------------------- health

  boolean readerUp() {
    return readerUp;
  }

  /** Messages this instance dropped from its full publish buffer. */
  long dropped() {
    return dropped.get();
  }

  /** Messages of other publishers this instance never read (sequence gaps). */
  long missed() {
    return missed.get();
  }

  long lost() {
    return dropped.get() + missed.get();
  }

  long duplicatesSkipped() {
    return duplicates.get();
  }

  synchronized int buffered() {
    return blocked ? queue.size() : 0;
  }

  String lastError() {
    return lastError;
  }
}
