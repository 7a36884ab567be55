package org.jvmchat.persistence.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.StoreOverloadedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one writer thread drains a bounded queue and hands whatever is waiting (up to
 * {@code maxBatchItems} items) to a {@link BatchWriter} that stores it in one transaction. Each
 * caller's future completes only after that transaction returned, with its own result; when the
 * transaction fails every caller of the batch gets the (translated) error, so nothing is
 * acknowledged that was not stored.
 *
 * <p>Full queue: {@link #submit} fails at once with {@link StoreOverloadedException}; nothing
 * waits. Futures are completed on {@code completionExecutor}, never on the writer thread, so slow
 * callbacks cannot stall writes.
 *
 * @param <I> what a caller submits (one unit, stored atomically)
 * @param <R> what its future completes with
 */
public final class GroupCommitWriter<I, R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** Stores a batch in one transaction. */
  @FunctionalInterface
  public interface BatchWriter<I, R> {
    /**
     * Stores the units and records each one's outcome with {@link Unit#succeed} or {@link
     * Unit#reject} (a rejected unit must not have been stored). Throwing means nothing of the batch
     * was stored.
     */
    void write(List<Unit<I, R>> batch) throws Exception;
  }

  /** One caller's submission. */
  public static final class Unit<I, R> {
    private final I input;
    private final int size;
    private final CompletableFuture<R> future = new CompletableFuture<>();
    private R result;
    private RuntimeException rejection;

    Unit(I input, int size) {
      this.input = input;
      this.size = size;
    }

    public I input() {
      return input;
    }

    /** Its outcome once the batch commits. */
    public void succeed(R value) {
      this.result = value;
      this.rejection = null;
    }

    /** It fails with {@code error} (and was not stored), whatever happens to the batch. */
    public void reject(RuntimeException error) {
      this.rejection = error;
      this.result = null;
    }

    void reset() {
      result = null;
      rejection = null;
    }
  }

  private final ArrayBlockingQueue<Unit<I, R>> queue;
  private final int capacity;
  private final int maxBatchItems;
  private final BatchWriter<I, R> writer;
  private final Function<Throwable, RuntimeException> errorTranslator;
  private final Executor completionExecutor;
  private final Thread thread;
  private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
  private volatile boolean closing;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong items = new AtomicLong();

  /**
   * Starts the writer thread.
   *
   * @param capacity how many submissions may wait
   * @param maxBatchItems most items (sum of submission sizes) per transaction; a larger single
   *     submission is written alone
   * @param errorTranslator turns what the batch writer threw into the error callers see
   */
  public GroupCommitWriter(
      String name,
      int capacity,
      int maxBatchItems,
      BatchWriter<I, R> writer,
      Function<Throwable, RuntimeException> errorTranslator,
      Executor completionExecutor) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.capacity = capacity;
    this.maxBatchItems = maxBatchItems;
    this.writer = writer;
    this.errorTranslator = errorTranslator;
    this.completionExecutor = completionExecutor;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues {@code input} ({@code size} items) for the next batch. Never blocks.
   *
   * @return a future that completes once the batch holding it committed (or failed)
   */
  public CompletableFuture<R> submit(I input, int size) {
    Unit<I, R> unit = new Unit<>(input, size);
    closeLock.readLock().lock();
    try {
      if (closing) {
        return CompletableFuture.failedFuture(
            new ChatStoreException("the chat store is closed; message not stored"));
      }
      if (!queue.offer(unit)) {
        return CompletableFuture.failedFuture(
            new StoreOverloadedException(
                "the message write queue is full ("
                    + capacity
                    + " waiting); message not stored, try again shortly"));
      }
    } finally {
      closeLock.readLock().unlock();
    }
    return unit.future;
  }

  /** Transactions committed or attempted so far. */
  public long batches() {
    return batches.get();
  }

  /** Items handed to the batch writer so far. */
  public long items() {
    return items.get();
  }

  private void run() {
    List<Unit<I, R>> batch = new ArrayList<>();
    while (true) {
      Unit<I, R> first;
      try {
        first = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        if (closing) {
          first = queue.poll();
        } else {
          continue;
        }
      }
      if (first == null) {
        if (closing && queue.isEmpty()) {
          return;
        }
        continue;
      }
      batch.add(first);
      int size = first.size;
      Unit<I, R> next;
      while ((next = queue.peek()) != null && size + next.size <= maxBatchItems) {
        batch.add(queue.poll()); // the only consumer: poll returns what peek saw
        size += next.size;
      }
      writeBatch(batch, size);
      batch.clear();
    }
  }

  private void writeBatch(List<Unit<I, R>> batch, int size) {
    batches.incrementAndGet();
    items.addAndGet(size);
    List<Unit<I, R>> done = List.copyOf(batch);
    try {
      writer.write(done);
    } catch (Throwable t) {
      RuntimeException error = errorTranslator.apply(t);
      LOG.debug("batch of {} submissions failed", done.size(), t);
      for (Unit<I, R> unit : done) {
        unit.reset();
        complete(unit, null, error);
      }
      if (t instanceof Error e && !(t instanceof AssertionError)) {
        throw e;
      }
      return;
    }
    for (Unit<I, R> unit : done) {
      if (unit.rejection != null) {
        complete(unit, null, unit.rejection);
      } else {
        complete(unit, unit.result, null);
      }
    }
  }

  private void complete(Unit<I, R> unit, R value, RuntimeException error) {
    try {
      completionExecutor.execute(
          () -> {
            if (error != null) {
              unit.future.completeExceptionally(error);
            } else {
              unit.future.complete(value);
            }
          });
    } catch (RuntimeException rejected) {
      // the executor is gone (closing): complete here rather than leave the caller hanging
      if (error != null) {
        unit.future.completeExceptionally(error);
      } else {
        unit.future.complete(value);
      }
    }
  }

  /**
   * Refuses new submissions, writes what is queued, and stops the thread. Submissions still queued
   * when {@code timeout} runs out fail. Idempotent.
   */
  public void close(Duration timeout) {
    closeLock.writeLock().lock();
    try {
      closing = true;
    } finally {
      closeLock.writeLock().unlock();
    }
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
      LOG.warn("the store writer did not finish within {}", timeout);
    }
    Unit<I, R> left;
    while ((left = queue.poll()) != null) {
      left.future.completeExceptionally(
          new ChatStoreException("the chat store closed before the message was stored"));
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
