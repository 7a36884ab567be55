package org.jvmchat.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void runsTasksOneAtATimeInSubmissionOrder() throws Exception {
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 3, failures::add);
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1000);
    for (int i = 0; i < 1000; i++) {
      int n = i;
      lane.execute(
          () -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            order.add(n);
            concurrent.decrementAndGet();
            done.countDown();
          });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(maxConcurrent.get()).isEqualTo(1);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      expected.add(i);
    }
    assertThat(order).isEqualTo(expected);
    assertThat(failures).isEmpty();
  }

  @Test
  void aThrowingTaskIsReportedAndTheLaneGoesOn() throws Exception {
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 64, failures::add);
    CountDownLatch after = new CountDownLatch(1);
    lane.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    lane.execute(after::countDown);
    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).singleElement().extracting(Throwable::getMessage).isEqualTo("boom");
  }

  @Test
  void theNextTaskWaitsForAnAsynchronousTaskToFinish() throws Exception {
    SerialExecutor lane =
        SerialExecutor.failWhenRejected(pool, 1, IllegalStateException::new, failures::add);
    CompletableFuture<String> firstStage = new CompletableFuture<>();
    CountDownLatch firstStarted = new CountDownLatch(1);
    CompletableFuture<String> first =
        lane.submit(
            () -> {
              firstStarted.countDown();
              return firstStage;
            });
    CompletableFuture<Boolean> secondSawFirstFinished =
        lane.submit(() -> CompletableFuture.completedFuture(firstStage.isDone()));
    assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(secondSawFirstFinished).isNotDone();
    firstStage.complete("one");
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("one");
    assertThat(secondSawFirstFinished.get(5, TimeUnit.SECONDS))
        .as("the second task started only after the first one's stage completed")
        .isTrue();
  }

  @Test
  void aSubmittedTaskThatThrowsFailsItsFutureOnly() throws Exception {
    SerialExecutor lane =
        SerialExecutor.failWhenRejected(pool, 1, IllegalStateException::new, failures::add);
    CompletableFuture<Object> failed =
        lane.submit(
            () -> {
              throw new IllegalArgumentException("bad");
            });
    CompletableFuture<String> next = lane.submit(() -> CompletableFuture.completedFuture("ok"));
    assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
    CompletableFuture<Object> nullStage = lane.submit(() -> null);
    assertThat(nullStage.get(5, TimeUnit.SECONDS)).isNull();
    assertThat(failures).isEmpty();
  }

  @Test
  void failWhenRejectedFailsTheQueuedTasksWithTheGivenError() {
    SerialExecutor lane =
        SerialExecutor.failWhenRejected(
            task -> {
              throw new RejectedExecutionException("full");
            },
            1,
            () -> new IllegalStateException("busy"),
            failures::add);
    CompletableFuture<String> rejected =
        lane.submit(() -> CompletableFuture.completedFuture("never"));
    assertThat(rejected).isCompletedExceptionally();
    assertThatThrownBy(rejected::join).hasCauseInstanceOf(IllegalStateException.class);
    lane.execute(() -> failures.add(new AssertionError("must not run")));
    assertThat(failures).singleElement().extracting(Throwable::getMessage).isEqualTo("busy");
  }

  @Test
  void runInlineWhenRejectedRunsOnTheSubmittingThread() {
    pool.shutdown();
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 64, failures::add);
    List<String> ran = new ArrayList<>();
    Thread caller = Thread.currentThread();
    lane.execute(() -> ran.add(Thread.currentThread() == caller ? "inline" : "elsewhere"));
    lane.execute(() -> ran.add("second"));
    assertThat(ran).containsExactly("inline", "second");
    assertThat(failures).isEmpty();
  }

  @Test
  void aBatchYieldsTheThreadBetweenBatches() throws Exception {
    List<Runnable> submitted = new ArrayList<>();
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(submitted::add, 2, failures::add);
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      lane.execute(() -> ran.add(n));
    }
    assertThat(submitted).hasSize(1);
    submitted.remove(0).run();
    assertThat(ran).containsExactly(0, 1);
    assertThat(submitted).as("the rest is handed back to the delegate").hasSize(1);
    submitted.remove(0).run();
    submitted.remove(0).run();
    assertThat(ran).containsExactly(0, 1, 2, 3, 4);
    assertThat(submitted).isEmpty();
  }
}
