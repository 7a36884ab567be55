package org.jvmchat.hub.internal.hub;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.internal.dispatch.UploadStream;
import org.jvmchat.hub.internal.transport.Transport;

/**
 * The invocation queue's bound of one connection (issue #27) and the read pause it causes: counts
 * the invocations read and not yet completed (and their bytes), and the upload streams whose buffer
 * is full; at the bound the handler stops parsing, the transport stops reading (a WebSocket is not
 * read; a POST is answered only once its bytes were taken in), and below half the bound both
 * resume. A client that ignores that back-pressure (sends past twice the bound without waiting for
 * its POSTs' answers) is closed.
 *
 * <p><b>Threads.</b> Counted when read (the connection's executor), released when done (any
 * thread); the pause itself, the held POST answers and the resume run on the executor.
 */
final class ReadGate {
  /** The parser behind the gate (the hub's handler, bound to the connection). */
  interface Reader {
    /** Executor: parses what was held at the bound; true when the queue has room again. */
    boolean resumeParsing();

    /** Executor: reading resumed (the client's silence while not read is no client timeout). */
    void readingResumed();

    /** Ends the connection with a Close message. */
    void close(String error, boolean allowReconnect, Throwable cause);
  }

  private final ConnectionView connection;
  private final Reader reader;
  private final HubOptions options;
  // The counters are volatile fields behind field updaters rather than Atomic* objects, and the
  // held POST answers' queue is made when the first one is held: an idle connection's gate is one
  // small object (see the hub-core README, "What a connection holds").
  private volatile int queuedInvocations;
  private volatile long queuedInvocationBytes;
  private volatile boolean readingPaused; // written on the executor
  // Upload streams whose buffer is full (StreamItems wait for the hub method): reading pauses
  // with the same mechanism as at the invocation bound (incremented on the executor, released by
  // the stream's subscriber on any thread).
  private volatile int fullUploadStreams;
  private volatile int resumeScheduled; // 0 or 1
  private boolean sentWithoutWaiting; // executor: bytes arriving while reading is paused
  private ArrayDeque<Runnable> whenReading; // executor; null until a POST answer is held

  private static final AtomicIntegerFieldUpdater<ReadGate> QUEUED_INVOCATIONS =
      AtomicIntegerFieldUpdater.newUpdater(ReadGate.class, "queuedInvocations");
  private static final AtomicLongFieldUpdater<ReadGate> QUEUED_INVOCATION_BYTES =
      AtomicLongFieldUpdater.newUpdater(ReadGate.class, "queuedInvocationBytes");
  private static final AtomicIntegerFieldUpdater<ReadGate> FULL_UPLOAD_STREAMS =
      AtomicIntegerFieldUpdater.newUpdater(ReadGate.class, "fullUploadStreams");
  private static final AtomicIntegerFieldUpdater<ReadGate> RESUME_SCHEDULED =
      AtomicIntegerFieldUpdater.newUpdater(ReadGate.class, "resumeScheduled");

  ReadGate(ConnectionView connection, HubOptions options, Reader reader) {
    this.connection = connection;
    this.reader = reader;
    this.options = options;
  }

  /** Whether reading is paused at the bound (the client's silence then is no client timeout). */
  boolean paused() {
    return readingPaused;
  }

  /**
   * Whether the handler must parse no further message: the invocation queue is at its bound, or an
   * upload stream's buffer is full.
   */
  boolean full() {
    return queuedInvocations >= options.maxQueuedInvocations()
        || queuedInvocationBytes >= options.maxQueuedInvocationBytes()
        || fullUploadStreams > 0;
  }

  /**
   * Executor, while the message is routed: counts the invocation just read (of {@code bytes}).
   *
   * @return its size, to hand back to {@link #finished} when it completes
   */
  long queued(long bytes) {
    QUEUED_INVOCATIONS.incrementAndGet(this);
    QUEUED_INVOCATION_BYTES.addAndGet(this, bytes);
    return bytes;
  }

  /** Any thread: a queued invocation completed. */
  void finished(long bytes) {
    QUEUED_INVOCATIONS.decrementAndGet(this);
    QUEUED_INVOCATION_BYTES.addAndGet(this, -bytes);
    resumeWhenBelowMark();
  }

  /** Executor: bytes arrive ({@code true}) or were handed on ({@code false}). */
  void receiving(boolean start) {
    sentWithoutWaiting = start && readingPaused;
  }

  /**
   * Executor: runs {@code taken} at once, or, while reading is paused on an open connection, when
   * it resumes (or the connection ends).
   */
  void whenTaken(Runnable taken, boolean open) {
    if (readingPaused && open) {
      if (whenReading == null) {
        whenReading = new ArrayDeque<>(2);
      }
      whenReading.add(taken);
    } else {
      taken.run();
    }
  }

  /**
   * Executor, while a StreamItem is routed: {@code stream}'s buffer is full. The handler parses no
   * further message until the method took items from it, and reading stops as at the invocation
   * queue's bound, as ASP.NET Core's dispatcher awaits the stream's bounded channel.
   */
  void pauseUntilSpace(UploadStream stream) {
    FULL_UPLOAD_STREAMS.incrementAndGet(this);
    stream.onSpace(
        () -> {
          FULL_UPLOAD_STREAMS.decrementAndGet(this);
          resumeWhenBelowMark();
        });
  }

  /** Executor: the connection ended; POSTs held for the bound are answered. */
  void connectionEnded() {
    readingPaused = false;
    answerWaitingPosts();
  }

  /** Any thread: reading resumes (in a task of its own) when paused and below the resume mark. */
  private void resumeWhenBelowMark() {
    if (readingPaused && belowResumeMark() && RESUME_SCHEDULED.compareAndSet(this, 0, 1)) {
      // Always as a task of its own, never inside the caller (which may be routing a message on
      // the executor, in the middle of a feed).
      Runnable resume =
          () -> {
            resumeScheduled = 0;
            resume();
          };
      EventExecutor e = connection.executor();
      if (e == null) {
        resume.run();
      } else {
        try {
          e.execute(resume);
        } catch (RejectedExecutionException stopping) {
          resumeScheduled = 0;
        }
      }
    }
  }

  private boolean belowResumeMark() {
    return queuedInvocations <= options.maxQueuedInvocations() / 2
        && queuedInvocationBytes <= options.maxQueuedInvocationBytes() / 2
        && fullUploadStreams == 0;
  }

  /**
   * Executor, from the handler: the queue is at its bound with {@code heldBytes} unparsed. Stops
   * reading the transport, or closes the connection when the client sent far more than the bound
   * allows without waiting.
   */
  void atBound(int heldBytes) {
    Transport current = connection.transport();
    // Over a socket that stops being read, what is held is at most one read's worth. Over POSTs,
    // one POST may hold up to the largest body, but a client that waits for the answer sends no
    // other meanwhile: bytes that arrive while paused and take what is held past twice the bound
    // come from a client that ignores the back-pressure.
    if (sentWithoutWaiting
        && (current == null || !current.pausesAtTheSocket())
        && (long) heldBytes > 2L * options.maxQueuedInvocationBytes()) {
      reader.close(
          "Connection closed with an error. Too many invocations are waiting: at most "
              + options.maxQueuedInvocations()
              + " invocations or "
              + options.maxQueuedInvocationBytes()
              + " bytes are queued per connection, and the client sent more without waiting for"
              + " their completions.",
          false,
          null);
      return;
    }
    readingPaused = true;
    if (current != null) {
      // Every time, not only on the first stop: a socket attached since (a stateful reconnect)
      // starts out reading.
      current.pauseReading();
    }
    if (belowResumeMark()) {
      resume(); // everything finished meanwhile
    }
  }

  /** Executor: parses what was held and, when the queue has room again, reads on. */
  private void resume() {
    if (!readingPaused || connection.isEnded()) {
      return;
    }
    if (!reader.resumeParsing()) {
      return; // still at the bound: the next completion tries again
    }
    readingPaused = false;
    reader.readingResumed(); // the client's silence while not read is no client timeout
    Transport t = connection.transport();
    if (t != null) {
      t.resumeReading();
    }
    answerWaitingPosts();
  }

  private void answerWaitingPosts() {
    ArrayDeque<Runnable> held = whenReading;
    if (held == null) {
      return;
    }
    Runnable r;
    while ((r = held.poll()) != null) {
      r.run();
    }
    whenReading = null; // a connection paused once does not keep the queue
  }
}
