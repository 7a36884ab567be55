package org.jvmchat.protocol.internal;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor (a "lane"), without holding
 * a thread while the lane is idle.
 *
 * <ul>
 *   <li>{@link #execute(Runnable)}: a plain task; if it throws, the error goes to the lane's
 *       failure handler and the lane goes on.
 *   <li>{@link #submit(Supplier)}: a task that may finish asynchronously (it returns a stage); the
 *       next task starts when that stage completes. The returned future completes with the stage.
 * </ul>
 *
 * Tasks that finish synchronously run back to back on one delegate thread, at most {@code
 * batchSize} of them, then the lane yields the thread so other lanes sharing the delegate progress.
 *
 * <p>When the delegate rejects the lane (shut down or saturated), one of two policies applies:
 * {@link #runInlineWhenRejected} runs the remaining tasks on the submitting thread, so no future is
 * left pending (a client whose pool was shut down); {@link #failWhenRejected} fails the next task
 * with a given exception and tries again with the rest (a server that tells the caller it is busy).
 *
 * <p>Thread-safe: any thread may submit; the queue is guarded by its own monitor.
 */
public final class SerialExecutor implements Executor {
  private final Executor delegate;
  private final int batchSize;
  private final Supplier<? extends RuntimeException> rejection; // null: run inline
  private final Consumer<Throwable> taskFailed;
  // Small at first (a lane per connection on a server, mostly idle): it grows as tasks queue up.
  private final ArrayDeque<Task> tasks = new ArrayDeque<>(2);
  private boolean running; // guarded by tasks

  private SerialExecutor(
      Executor delegate,
      int batchSize,
      Supplier<? extends RuntimeException> rejection,
      Consumer<Throwable> taskFailed) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.batchSize = batchSize;
    this.rejection = rejection;
    this.taskFailed = Objects.requireNonNull(taskFailed, "taskFailed");
  }

  /**
   * A lane that, when the delegate rejects it, runs what is queued on the submitting thread.
   *
   * @param taskFailed receives what a {@link #execute} task threw
   */
  public static SerialExecutor runInlineWhenRejected(
      Executor delegate, int batchSize, Consumer<Throwable> taskFailed) {
    return new SerialExecutor(delegate, batchSize, null, taskFailed);
  }

  /**
   * A lane that, when the delegate rejects it, fails the next task with {@code rejection.get()}
   * (its future fails; a plain task's failure handler is called) and tries again with the rest.
   *
   * @param taskFailed receives what a {@link #execute} task threw, or the rejection
   */
  public static SerialExecutor failWhenRejected(
      Executor delegate,
      int batchSize,
      Supplier<? extends RuntimeException> rejection,
      Consumer<Throwable> taskFailed) {
    return new SerialExecutor(
        delegate, batchSize, Objects.requireNonNull(rejection, "rejection"), taskFailed);
  }

  @Override
  public void execute(Runnable task) {
    enqueue(new PlainTask(Objects.requireNonNull(task, "task")));
  }

  /** Queues a task that may finish asynchronously; the future completes with its stage. */
  public <T> CompletableFuture<T> submit(Supplier<? extends CompletionStage<T>> body) {
    StageTask<T> task = new StageTask<>(Objects.requireNonNull(body, "body"));
    enqueue(task);
    return task.result;
  }

  /**
   * As {@link #submit}, but when the lane is idle (nothing queued, nothing running) the task starts
   * at once on the calling thread instead of on the delegate; the lane stays busy until its stage
   * completes, and what is queued meanwhile then runs on the delegate, in order. For tasks that
   * never block (they may be run on an I/O thread). When the lane is busy this is {@link #submit}.
   *
   * @param whenDone called with the task's outcome before the lane moves on to the next task (as a
   *     callback attached to {@link #submit}'s future is), on the thread that completes the stage
   * @return what {@code whenDone} returned as a stage: completes after it ran
   */
  public <T> CompletableFuture<T> submitHere(
      Supplier<? extends CompletionStage<T>> body,
      BiConsumer<? super T, ? super Throwable> whenDone) {
    StageTask<T> task = new StageTask<>(Objects.requireNonNull(body, "body"));
    return startHere(task, task.result, whenDone);
  }

  /**
   * As {@link #submitHere(Supplier, BiConsumer)}, except that the lane moves on as soon as the body
   * has returned its stage while fewer than {@code maxOutstanding} stages of such tasks of this
   * lane are incomplete; at that many it waits until one completes. So bodies start one at a time,
   * in submission order, but up to {@code maxOutstanding} of their stages overlap (a task queued
   * behind them, of any kind, starts once the lane moved on, not when their stages completed).
   * {@code maxOutstanding} 1 is {@link #submitHere(Supplier, BiConsumer)}.
   */
  public <T> CompletableFuture<T> submitHere(
      Supplier<? extends CompletionStage<T>> body,
      BiConsumer<? super T, ? super Throwable> whenDone,
      int maxOutstanding) {
    if (maxOutstanding < 1) {
      throw new IllegalArgumentException("maxOutstanding must be at least 1: " + maxOutstanding);
    }
    if (maxOutstanding == 1) {
      return submitHere(body, whenDone);
    }
    OverlappingTask<T> task =
        new OverlappingTask<>(Objects.requireNonNull(body, "body"), maxOutstanding);
    return startHere(task, task.result, whenDone);
  }

  /** Both submitHere forms: {@code task} now on this thread when the lane is idle, else queued. */
  private <T> CompletableFuture<T> startHere(
      Task task, CompletableFuture<T> result, BiConsumer<? super T, ? super Throwable> whenDone) {
    CompletableFuture<T> done = result.whenComplete(Objects.requireNonNull(whenDone, "whenDone"));
    synchronized (tasks) {
      if (running) { // a queued task implies a running lane
        tasks.add(task);
        return done;
      }
      running = true;
    }
    CompletableFuture<?> finished = task.start();
    if (finished.isDone()) {
      continueLane();
    } else {
      finished.whenComplete((v, e) -> continueLane());
    }
    return done;
  }

  /** A stage task's body called: its stage, a failed one if it threw, a completed one for null. */
  private static <T> CompletionStage<T> call(Supplier<? extends CompletionStage<T>> body) {
    CompletionStage<T> stage;
    try {
      stage = body.get();
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
    return stage == null ? CompletableFuture.completedFuture(null) : stage;
  }

  // Stages of overlapping tasks not complete yet, and the lane waiting for one to complete (null
  // when it is not waiting); guarded by tasks.
  private int outstanding;
  private CompletableFuture<Void> slotFree;

  private void enqueue(Task task) {
    synchronized (tasks) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    schedule();
  }

  /** The lane is running (owns {@code running}) and has work: hands it to the delegate. */
  private void schedule() {
    while (true) {
      try {
        delegate.execute(this::drain);
        return;
      } catch (RejectedExecutionException e) {
        if (rejection == null) {
          drain();
          return;
        }
        Task head = poll();
        if (head == null) {
          return;
        }
        head.fail(rejection.get());
      }
    }
  }

  /** The next task, or null after marking the lane idle. */
  private Task poll() {
    synchronized (tasks) {
      Task next = tasks.poll();
      if (next == null) {
        running = false;
      }
      return next;
    }
  }

  private void drain() {
    for (int i = 0; i < batchSize; i++) {
      Task next = poll();
      if (next == null) {
        return;
      }
      CompletableFuture<?> finished = next.start();
      if (!finished.isDone()) {
        // Asynchronous: the lane stays busy; whoever completes the stage continues it.
        finished.whenComplete((v, e) -> continueLane());
        return;
      }
    }
    continueLane();
  }

  private void continueLane() {
    synchronized (tasks) {
      if (tasks.isEmpty()) {
        running = false;
        return;
      }
    }
    schedule();
  }

  private abstract static class Task {
    /** Runs the task; the future completes (never exceptionally) when the task has finished. */
    abstract CompletableFuture<?> start();

    abstract void fail(Throwable error);
  }

  private final class PlainTask extends Task {
    private final Runnable body;

    PlainTask(Runnable body) {
      this.body = body;
    }

    @Override
    CompletableFuture<?> start() {
      try {
        body.run();
      } catch (Throwable t) {
        taskFailed.accept(t);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    void fail(Throwable error) {
      taskFailed.accept(error);
    }
  }

  /** A stage task whose stage may overlap those of the tasks after it (see submitHere). */
  private final class OverlappingTask<T> extends Task {
    private final Supplier<? extends CompletionStage<T>> body;
    private final int maxOutstanding;
    final CompletableFuture<T> result = new CompletableFuture<>();

    OverlappingTask(Supplier<? extends CompletionStage<T>> body, int maxOutstanding) {
      this.body = body;
      this.maxOutstanding = maxOutstanding;
    }

    @Override
    CompletableFuture<?> start() {
      CompletionStage<T> stage = call(body);
      CompletableFuture<Void> moveOn;
      synchronized (tasks) {
        outstanding++;
        if (outstanding < maxOutstanding) {
          moveOn = CompletableFuture.completedFuture(null);
        } else {
          moveOn = new CompletableFuture<>();
          slotFree = moveOn;
        }
      }
      stage.whenComplete(
          (v, e) -> {
            CompletableFuture<Void> waiting;
            synchronized (tasks) {
              outstanding--;
              waiting = slotFree;
              slotFree = null;
            }
            if (e != null) {
              result.completeExceptionally(e);
            } else {
              result.complete(v);
            }
            if (waiting != null) {
              waiting.complete(null);
            }
          });
      return moveOn;
    }

    @Override
    void fail(Throwable error) {
      result.completeExceptionally(error);
    }
  }

  private static final class StageTask<T> extends Task {
    private final Supplier<? extends CompletionStage<T>> body;
    final CompletableFuture<T> result = new CompletableFuture<>();

    StageTask(Supplier<? extends CompletionStage<T>> body) {
      this.body = body;
    }

    @Override
    CompletableFuture<?> start() {
      CompletionStage<T> stage = call(body);
      CompletableFuture<Void> finished = new CompletableFuture<>();
      stage.whenComplete(
          (v, e) -> {
            if (e != null) {
              result.completeExceptionally(e);
            } else {
              result.complete(v);
            }
            finished.complete(null);
          });
      return finished;
    }

    @Override
    void fail(Throwable error) {
      result.completeExceptionally(error);
    }
  }
}
