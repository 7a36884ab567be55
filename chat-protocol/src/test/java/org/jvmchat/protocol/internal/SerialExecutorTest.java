package org.jvmchat.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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

  @Test
  void overlappingTasksStartInOrderAndAtMostMaxOutstandingStagesAreIncomplete() throws Exception {
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 8, failures::add);
    List<String> started = new CopyOnWriteArrayList<>();
    List<String> done = new CopyOnWriteArrayList<>();
    List<CompletableFuture<String>> gates = new ArrayList<>();
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CompletableFuture<String> gate = new CompletableFuture<>();
      gates.add(gate);
      String name = "t" + i;
      results.add(
          lane.submitHere(
              () -> {
                started.add(name);
                return gate;
              },
              (v, e) -> done.add(name + "=" + v),
              3));
    }
    // Three stages may be incomplete at once: the first three started (each at once, on this
    // thread, the lane moving on when its body returned), in order; the other two wait.
    assertThat(started).containsExactly("t0", "t1", "t2");
    // A stage completing out of order frees a slot: the next task starts; results are per task.
    gates.get(1).complete("b");
    await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 4);
    assertThat(started).containsExactly("t0", "t1", "t2", "t3");
    assertThat(done).containsExactly("t1=b");
    assertThat(results.get(1)).isCompletedWithValue("b");
    assertThat(results.get(0)).isNotDone();
    gates.get(0).complete("a");
    gates.get(2).complete("c");
    await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 5);
    gates.get(3).complete("d");
    gates.get(4).completeExceptionally(new IllegalStateException("e failed"));
    await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 5);
    assertThat(started).containsExactly("t0", "t1", "t2", "t3", "t4");
    assertThat(results.get(4)).isCompletedExceptionally();
    // The lane is free again: a plain task runs.
    CountDownLatch after = new CountDownLatch(1);
    lane.execute(after::countDown);
    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).isEmpty();
  }

  @Test
  void anOverlappingTaskWithOneOutstandingIsAPlainSubmitHere() throws Exception {
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 8, failures::add);
    List<String> started = new CopyOnWriteArrayList<>();
    CompletableFuture<String> gate = new CompletableFuture<>();
    lane.submitHere(
        () -> {
          started.add("first");
          return gate;
        },
        (v, e) -> {},
        1);
    CompletableFuture<String> second =
        lane.submitHere(
            () -> {
              started.add("second");
              return CompletableFuture.completedFuture("2");
            },
            (v, e) -> {},
            1);
    assertThat(started).containsExactly("first");
    gate.complete("1");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("2");
    assertThat(started).containsExactly("first", "second");
    assertThatThrownBy(
            () -> lane.submitHere(() -> CompletableFuture.completedFuture("x"), (v, e) -> {}, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void submitHereRunsOnTheCallingThreadWhenTheLaneIsIdle() throws Exception {
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 8, failures::add);
    Thread caller = Thread.currentThread();
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    List<Thread> doneOn = new CopyOnWriteArrayList<>();
    CompletableFuture<String> done =
        lane.submitHere(
            () -> {
              ranOn.add(Thread.currentThread());
              return CompletableFuture.completedFuture("x");
            },
            (v, e) -> doneOn.add(Thread.currentThread()));
    assertThat(done).isCompletedWithValue("x");
    assertThat(ranOn).containsExactly(caller);
    assertThat(doneOn).containsExactly(caller);
    // The lane is idle again: a plain task still runs (on the pool).
    CountDownLatch after = new CountDownLatch(1);
    lane.execute(after::countDown);
    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void submitHereKeepsTheLaneBusyUntilItsStageCompletesThenRunsTheRestInOrder() throws Exception {
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 8, failures::add);
    List<String> order = new CopyOnWriteArrayList<>();
    CompletableFuture<String> gate = new CompletableFuture<>();
    CompletableFuture<String> first =
        lane.submitHere(
            () -> {
              order.add("first started");
              return gate;
            },
            (v, e) -> order.add("first done"));
    Thread caller = Thread.currentThread();
    List<Thread> secondRanOn = new CopyOnWriteArrayList<>();
    CompletableFuture<String> second =
        lane.submitHere(
            () -> {
              secondRanOn.add(Thread.currentThread());
              order.add("second started");
              return CompletableFuture.completedFuture("2");
            },
            (v, e) -> order.add("second done"));
    CountDownLatch plainRan = new CountDownLatch(1);
    lane.execute(
        () -> {
          order.add("plain");
          plainRan.countDown();
        });
    assertThat(order).containsExactly("first started");
    assertThat(second).isNotDone();
    gate.complete("1");
    assertThat(plainRan.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("1");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("2");
    assertThat(order)
        .containsExactly("first started", "first done", "second started", "second done", "plain");
    // Queued behind a busy lane, it ran in its turn on the delegate, not on the submitter.
    assertThat(secondRanOn).hasSize(1).doesNotContain(caller);
    assertThat(failures).isEmpty();
  }

  @Test
  void submitHereReportsAThrowingBodyAsAFailedFutureAndTheLaneGoesOn() throws Exception {
    SerialExecutor lane = SerialExecutor.runInlineWhenRejected(pool, 8, failures::add);
    List<Throwable> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Object> failed =
        lane.submitHere(
            () -> {
              throw new IllegalStateException("boom");
            },
            (v, e) -> seen.add(e));
    assertThat(failed).isCompletedExceptionally();
    assertThat(seen).singleElement().satisfies(e -> assertThat(e).hasMessage("boom"));
    CompletableFuture<String> next =
        lane.submitHere(() -> CompletableFuture.completedFuture("next"), (v, e) -> {});
    assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("next");
  }
}
