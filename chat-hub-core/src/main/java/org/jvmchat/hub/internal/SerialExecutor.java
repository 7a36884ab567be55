package org.jvmchat.hub.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Runs tasks one at a time, in order, on a shared executor. A task may finish asynchronously (it
 * returns a stage): the next task starts when that stage completes, without holding a thread in
 * between. This is the "one invocation at a time per connection" rule. When the shared executor
 * rejects a task (pool and queue full), that task fails with {@link ServerBusyException}.
 */
public final class SerialExecutor {
  private final Executor executor;
  private final ArrayDeque<Task<?>> queue = new ArrayDeque<>();
  private boolean running;

  public SerialExecutor(Executor executor) {
    this.executor = executor;
  }

  /** The server's executor is saturated. */
  public static final class ServerBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServerBusyException() {
      super("The server is too busy to run this now. Try again later.");
    }
  }

  private final class Task<T> implements Runnable {
    final Supplier<? extends CompletionStage<T>> body;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Task(Supplier<? extends CompletionStage<T>> body) {
      this.body = body;
    }

    @Override
    public void run() {
      CompletionStage<T> stage;
      try {
        stage = body.get();
      } catch (Throwable t) {
        stage = CompletableFuture.failedFuture(t);
      }
      if (stage == null) {
        stage = CompletableFuture.completedFuture(null);
      }
      stage.whenComplete(
          (v, e) -> {
            if (e != null) {
              result.completeExceptionally(e);
            } else {
              result.complete(v);
            }
            next();
          });
    }
  }

  /** Queues a task; the returned future completes with the task's own stage. */
  public <T> CompletableFuture<T> submit(Supplier<? extends CompletionStage<T>> body) {
    Task<T> task = new Task<>(body);
    synchronized (queue) {
      queue.add(task);
      if (running) {
        return task.result;
      }
      running = true;
    }
    next();
    return task.result;
  }

  private void next() {
    while (true) {
      Task<?> task;
      synchronized (queue) {
        task = queue.poll();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        executor.execute(task);
        return;
      } catch (RejectedExecutionException e) {
        task.result.completeExceptionally(new ServerBusyException());
      }
    }
  }
}
