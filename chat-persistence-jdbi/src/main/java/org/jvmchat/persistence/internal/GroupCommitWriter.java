package org.jvmchat.persistence.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.StoreOverloadedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit, pipelined: writer threads ("lanes") drain a bounded queue and hand whatever is
 * waiting (up to {@code maxBatchItems} items) to a batch writer that stores it in one transaction.
 * Each caller's future completes only after that transaction committed, with its own result; when
 * the transaction fails every caller of the batch gets the (translated) error, so nothing is
 * acknowledged that was not stored.
 *
 * <p><b>Pipelining.</b> With a {@link StagedBatchWriter} a batch has two phases: {@code stage} runs
 * its statements, {@code commit} commits them (and waits for the commit to be durable). Taking a
 * batch from the queue and staging it happen under one lock, so batches are staged strictly one
 * after the other, in queue order; the commit runs outside the lock, so while batch N waits for its
 * COMMIT on one lane, batch N+1 is taken and staged on another. A batch that touches a room batch N
 * locked waits in the database for N's commit, so per room the order of the data (e.g. a sequence
 * number) is the batch order. With a plain {@link BatchWriter} (one phase) and one lane this is the
 * classic single-threaded group commit.
 *
 * <p><b>Completion order.</b> Every batch gets a ticket when it is taken. Finished batches are
 * released strictly in ticket order (a batch that commits early waits for the ones taken before
 * it), and released batches are completed one after the other on one serial lane over {@code
 * completionExecutor} — never two at once, even when that executor is a pool. So callbacks that,
 * say, broadcast a stored message run in batch order, and for each room in data order. Futures are
 * never completed on a writer lane, so slow callbacks cannot stall writes.
 *
 * <p>Full queue: {@link #submit} fails at once with {@link StoreOverloadedException}; nothing
 * waits.
 *
 * @param <I> what a caller submits (one unit, stored atomically)
 * @param <R> what its future completes with
 */
public final class GroupCommitWriter<I, R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** Stores a batch in one transaction (one phase). */
  @FunctionalInterface
  public interface BatchWriter<I, R> {
    /**
     * Stores the units and records each one's outcome with {@link Unit#succeed} or {@link
     * Unit#reject} (a rejected unit must not have been stored). Throwing means nothing of the batch
     * was stored.
     */
    void write(List<Unit<I, R>> batch) throws Exception;
  }

  /** Stores a batch in two phases: the statements, then the commit. */
  @FunctionalInterface
  public interface StagedBatchWriter<I, R> {
    /**
     * Runs the batch's statements (called for one batch at a time, in queue order) and records each
     * unit's outcome with {@link Unit#succeed} or {@link Unit#reject}. Throwing means nothing of
     * the batch was stored (and the writer has cleaned up, e.g. rolled back).
     *
     * @return what commits the batch; it runs outside the staging lock, possibly while the next
     *     batch is being staged
     */
    Commit stage(List<Unit<I, R>> batch) throws Exception;
  }

  /** The second phase of a staged batch. */
  @FunctionalInterface
  public interface Commit {
    /**
     * Makes the staged batch durable; returns once it is. Throwing fails every unit of the batch
     * with the (translated) error, so the implementation must throw only what is true: an error
     * saying nothing was stored once it knows that (it rolls back and releases what it held), or
     * one saying the outcome is unknown. When the commit's answer was lost, it finds out whether
     * the batch was stored and returns normally if it was.
     */
    void commit() throws Exception;
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

    /** Its outcome recorded by the batch writer, or {@code null} (not yet, or rejected). */
    R result() {
      return result;
    }

    void reset() {
      result = null;
      rejection = null;
    }
  }

  private static final Commit COMMITTED = () -> {};

  private final ArrayBlockingQueue<Unit<I, R>> queue;
  private final int capacity;
  private final int maxBatchItems;
  private final String queueName;
  private final String refused;
  private final StagedBatchWriter<I, R> writer;
  private final Function<Throwable, RuntimeException> errorTranslator;
  private final SerialLane completions;
  private final List<Thread> lanes = new ArrayList<>();
  private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
  private final ReentrantLock stageLock = new ReentrantLock();
  private volatile boolean closing;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong items = new AtomicLong();
  private final AtomicLong writeNanos = new AtomicLong();
  private volatile BatchListener listener;
  // ticket bookkeeping: nextTicket under stageLock; the rest under "finished"
  private long nextTicket;
  private long nextRelease;
  private final Map<Long, Finished<I, R>> finished = new HashMap<>();

  private record Finished<I, R>(List<Unit<I, R>> batch, Throwable failure) {}

  /**
   * Starts one writer thread with a one-phase batch writer (the classic group commit).
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
    this(
        name,
        capacity,
        maxBatchItems,
        1,
        batch -> {
          writer.write(batch);
          return COMMITTED;
        },
        errorTranslator,
        completionExecutor);
  }

  /**
   * Starts {@code lanes} writer threads with a two-phase batch writer: while one batch commits, the
   * next one is staged on another lane.
   *
   * @param lanes writer threads (each holds one transaction at a time), 1..64
   */
  public GroupCommitWriter(
      String name,
      int capacity,
      int maxBatchItems,
      int lanes,
      StagedBatchWriter<I, R> writer,
      Function<Throwable, RuntimeException> errorTranslator,
      Executor completionExecutor) {
    this(
        name,
        "message write",
        "message not stored",
        capacity,
        maxBatchItems,
        lanes,
        writer,
        errorTranslator,
        completionExecutor);
  }

  /**
   * As above, with the words of the errors callers see when the queue is full or the store closed:
   * "the {@code queueName} queue is full (…); {@code refused}, try again shortly", e.g. "message
   * write" and "message not stored".
   */
  public GroupCommitWriter(
      String name,
      String queueName,
      String refused,
      int capacity,
      int maxBatchItems,
      int lanes,
      StagedBatchWriter<I, R> writer,
      Function<Throwable, RuntimeException> errorTranslator,
      Executor completionExecutor) {
    if (lanes < 1 || lanes > 64) {
      throw new IllegalArgumentException("lanes must be 1..64 (was " + lanes + ")");
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.capacity = capacity;
    this.maxBatchItems = maxBatchItems;
    this.queueName = queueName;
    this.refused = refused;
    this.writer = writer;
    this.errorTranslator = errorTranslator;
    this.completions = new SerialLane(completionExecutor);
    for (int i = 0; i < lanes; i++) {
      Thread t = new Thread(this::run, lanes == 1 ? name : name + "-" + (i + 1));
      t.setDaemon(true);
      this.lanes.add(t);
    }
    this.lanes.forEach(Thread::start);
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
            new ChatStoreException("the chat store is closed; " + refused));
      }
      if (!queue.offer(unit)) {
        return CompletableFuture.failedFuture(
            new StoreOverloadedException(
                "the "
                    + queueName
                    + " queue is full ("
                    + capacity
                    + " waiting); "
                    + refused
                    + ", try again shortly"));
      }
    } finally {
      closeLock.readLock().unlock();
    }
    return unit.future;
  }

  /**
   * {@link #submit} and wait: for synchronous callers (off the event loop). Throws what the future
   * failed with (already translated for callers).
   */
  public R submitAndWait(I input, int size) {
    try {
      return submit(input, size).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatStoreException("interrupted while waiting for the store; " + refused);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw errorTranslator.apply(cause);
    }
  }

  /** Told of every batch written: its item count, how long it took, whether it failed. */
  @FunctionalInterface
  public interface BatchListener {
    void batchWritten(int items, long nanos, boolean failed);
  }

  /** Sets the one listener of written batches (null for none). */
  public void listener(BatchListener listener) {
    this.listener = listener;
  }

  /** Transactions committed or attempted so far. */
  public long batches() {
    return batches.get();
  }

  /** Items handed to the batch writer so far. */
  public long items() {
    return items.get();
  }

  /** Time spent writing batches so far (staging plus commit, summed over the batches), in ns. */
  public long writeNanos() {
    return writeNanos.get();
  }

  /** Submissions waiting for a writer thread now. */
  public int queued() {
    return queue.size();
  }

  /** Writer threads. */
  public int lanes() {
    return lanes.size();
  }

  private void run() {
    List<Unit<I, R>> batch = new ArrayList<>();
    while (true) {
      long ticket;
      Commit commit = null;
      Throwable failure = null;
      long start;
      stageLock.lock();
      try {
        Unit<I, R> first;
        try {
          first = queue.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          first = closing ? queue.poll() : null;
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
          batch.add(queue.poll()); // only the stageLock holder consumes: poll returns what peek saw
          size += next.size;
        }
        ticket = nextTicket++;
        batches.incrementAndGet();
        items.addAndGet(size);
        start = System.nanoTime();
        try {
          commit = writer.stage(List.copyOf(batch));
        } catch (Throwable t) {
          failure = t;
        }
      } finally {
        stageLock.unlock();
      }
      if (failure == null) {
        try {
          commit.commit();
        } catch (Throwable t) {
          failure = t;
        }
      }
      long took = System.nanoTime() - start;
      writeNanos.addAndGet(took);
      BatchListener l = listener;
      if (l != null) {
        int count = 0;
        for (Unit<I, R> unit : batch) {
          count += unit.size;
        }
        try {
          l.batchWritten(count, took, failure != null);
        } catch (RuntimeException e) {
          LOG.warn("batch listener failed", e);
        }
      }
      finish(ticket, List.copyOf(batch), failure);
      batch.clear();
      if (failure instanceof Error e && !(failure instanceof AssertionError)) {
        throw e;
      }
    }
  }

  /** Records a finished batch and releases every batch whose turn has come, in ticket order. */
  private void finish(long ticket, List<Unit<I, R>> batch, Throwable failure) {
    synchronized (finished) {
      finished.put(ticket, new Finished<>(batch, failure));
      Finished<I, R> f;
      while ((f = finished.remove(nextRelease)) != null) {
        nextRelease++;
        release(f);
      }
    }
  }

  /** Hands one batch's completions to the serial lane (called in ticket order). */
  private void release(Finished<I, R> f) {
    RuntimeException error = null;
    if (f.failure() != null) {
      error = errorTranslator.apply(f.failure());
      LOG.debug("batch of {} submissions failed", f.batch().size(), f.failure());
      for (Unit<I, R> unit : f.batch()) {
        unit.reset();
      }
    }
    RuntimeException batchError = error;
    completions.execute(
        () -> {
          for (Unit<I, R> unit : f.batch()) {
            if (batchError != null) {
              unit.future.completeExceptionally(batchError);
            } else if (unit.rejection != null) {
              unit.future.completeExceptionally(unit.rejection);
            } else {
              unit.future.complete(unit.result);
            }
          }
        });
  }

  /**
   * Refuses new submissions, writes what is queued (every lane finishes its batch), and stops the
   * threads. Submissions still queued when {@code timeout} runs out fail. Idempotent.
   */
  public void close(Duration timeout) {
    closeLock.writeLock().lock();
    try {
      closing = true;
    } finally {
      closeLock.writeLock().unlock();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : lanes) {
      try {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Thread t : lanes) {
      if (t.isAlive()) {
        t.interrupt();
        LOG.warn("the store writer {} did not finish within {}", t.getName(), timeout);
      }
    }
    Unit<I, R> left;
    while ((left = queue.poll()) != null) {
      left.future.completeExceptionally(
          new ChatStoreException("the chat store closed first; " + refused));
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Runs tasks one at a time, in the order given, on {@code executor} (whatever its number of
   * threads); when the executor refuses (it is shut down), the task runs on the caller's thread so
   * no caller is left hanging.
   */
  private static final class SerialLane {
    private final Executor executor;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean draining;

    SerialLane(Executor executor) {
      this.executor = executor;
    }

    void execute(Runnable task) {
      synchronized (tasks) {
        tasks.add(task);
        if (draining) {
          return;
        }
        draining = true;
      }
      try {
        executor.execute(this::drain);
      } catch (RuntimeException rejected) {
        drain();
      }
    }

    private void drain() {
      while (true) {
        Runnable task;
        synchronized (tasks) {
          task = tasks.poll();
          if (task == null) {
            draining = false;
            return;
          }
        }
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.warn("a completion callback failed", e);
        }
      }
    }
  }
}
