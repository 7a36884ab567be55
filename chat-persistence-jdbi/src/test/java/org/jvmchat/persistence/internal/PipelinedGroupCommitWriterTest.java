package org.jvmchat.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.StoreUnavailableException;

/**
 * The pipelined writer: several lanes, staging strictly one batch at a time in queue order, commits
 * overlapping, completions released in batch order on one serial lane. No sleeps: the fake batch
 * writer blocks on latches the test opens, and the test awaits states with timeouts.
 */
class PipelinedGroupCommitWriterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Inputs whose batch's commit waits until the latch is opened. */
  private final Map<String, CountDownLatch> holdCommit = new ConcurrentHashMap<>();

  /** Inputs whose batch's commit fails. */
  private final Set<String> failCommit = ConcurrentHashMap.newKeySet();

  /** Inputs whose batch was staged, in staging order, and whose commit returned. */
  private final List<String> staged = new CopyOnWriteArrayList<>();

  private final List<String> committed = new CopyOnWriteArrayList<>();
  private final AtomicInteger staging = new AtomicInteger();
  private final AtomicInteger maxConcurrentStaging = new AtomicInteger();

  /** Completion callbacks, in the order they ran; and how many ran at once at most. */
  private final List<String> completed = new CopyOnWriteArrayList<>();

  private final AtomicInteger inCallback = new AtomicInteger();
  private final AtomicInteger maxInCallback = new AtomicInteger();

  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private GroupCommitWriter<String, String> writer;

  private GroupCommitWriter.Commit stage(List<GroupCommitWriter.Unit<String, String>> batch) {
    maxConcurrentStaging.accumulateAndGet(staging.incrementAndGet(), Math::max);
    try {
      List<String> inputs = new ArrayList<>();
      for (var unit : batch) {
        inputs.add(unit.input());
        unit.succeed(unit.input().toUpperCase());
      }
      staged.addAll(inputs);
      return () -> {
        for (String input : inputs) {
          CountDownLatch hold = holdCommit.get(input);
          if (hold != null) {
            assertThat(hold.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
          }
        }
        if (inputs.stream().anyMatch(failCommit::contains)) {
          throw new java.sql.SQLException("connection lost", "08006");
        }
        committed.addAll(inputs);
      };
    } finally {
      staging.decrementAndGet();
    }
  }

  /** A writer with {@code lanes} lanes completing on a pool of 4 threads (the lane serializes). */
  private GroupCommitWriter<String, String> writer(int lanes) {
    return writer(lanes, 1000);
  }

  private GroupCommitWriter<String, String> writer(int lanes, int capacity) {
    writer =
        new GroupCommitWriter<>(
            "test-pipeline",
            capacity,
            50,
            lanes,
            this::stage,
            t -> StoreErrors.translate("storing the message", t),
            pool);
    return writer;
  }

  private CompletableFuture<String> submit(String input) {
    CompletableFuture<String> f = writer.submit(input, 1);
    f.whenComplete(
        (v, e) -> {
          maxInCallback.accumulateAndGet(inCallback.incrementAndGet(), Math::max);
          completed.add(input);
          inCallback.decrementAndGet();
        });
    return f;
  }

  private CountDownLatch hold(String input) {
    CountDownLatch latch = new CountDownLatch(1);
    holdCommit.put(input, latch);
    return latch;
  }

  @AfterEach
  void close() throws Exception {
    holdCommit.values().forEach(CountDownLatch::countDown);
    if (writer != null) {
      writer.close(WAIT);
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theNextBatchIsStagedWhileThePreviousOneCommitsButCompletesAfterIt() throws Exception {
    writer(2);
    CountDownLatch releaseA = hold("a");
    CompletableFuture<String> a = submit("a");
    await().atMost(WAIT).until(() -> staged.contains("a"));

    // a waits for its commit on one lane; b and c are staged and committed on the other
    CompletableFuture<String> b = submit("b");
    CompletableFuture<String> c = submit("c");
    await().atMost(WAIT).until(() -> committed.containsAll(List.of("b", "c")));
    assertThat(committed).doesNotContain("a");
    assertThat(staged).containsExactly("a", "b", "c");

    // committed, but held back: a was taken first and has not committed yet
    assertThat(a).isNotDone();
    assertThat(b).isNotDone();
    assertThat(c).isNotDone();

    releaseA.countDown();
    assertThat(a.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(b.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("B");
    assertThat(c.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("C");
    await().atMost(WAIT).until(() -> completed.size() == 3);
    assertThat(completed).containsExactly("a", "b", "c");
    assertThat(writer.lanes()).isEqualTo(2);
  }

  @Test
  void completionsRunInBatchOrderOneAtATimeUnderLoad() throws Exception {
    writer(3, 10_000); // room for all 2000 whatever the lanes do meanwhile
    CountDownLatch releaseFirst = hold("m0"); // nothing completes before every callback is attached
    List<CompletableFuture<String>> futures = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String input = "m" + i;
      inputs.add(input);
      futures.add(submit(input));
    }
    releaseFirst.countDown();
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> completed.size() == inputs.size());
    assertThat(staged).containsExactlyElementsOf(inputs); // staged in queue order
    assertThat(completed).containsExactlyElementsOf(inputs); // completed in queue order
    assertThat(maxConcurrentStaging.get()).isEqualTo(1); // one batch staged at a time
    assertThat(maxInCallback.get()).isEqualTo(1); // one serial lane, though the pool has 4 threads
  }

  @Test
  void aBatchThatFailsInTheMiddleFailsAloneAndTheLaterOnesWaitForIt() throws Exception {
    writer(2);
    CountDownLatch releaseA = hold("a");
    CountDownLatch releaseB = hold("b");
    failCommit.add("b");
    CompletableFuture<String> a = submit("a");
    await().atMost(WAIT).until(() -> staged.contains("a"));
    CompletableFuture<String> b = submit("b");
    await().atMost(WAIT).until(() -> staged.contains("b"));
    // both lanes are committing: c waits in the queue until one is free
    CompletableFuture<String> c = submit("c");

    releaseB.countDown(); // b fails first, but its turn comes after a
    await().atMost(WAIT).until(() -> committed.contains("c"));
    assertThat(b).isNotDone();
    assertThat(c).isNotDone();

    releaseA.countDown();
    assertThat(a.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("A");
    assertThatThrownBy(() -> b.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessage("storing the message failed: the database is unavailable (connection lost)");
    assertThat(c.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("C");
    await().atMost(WAIT).until(() -> completed.size() == 3);
    assertThat(completed).containsExactly("a", "b", "c");
    assertThat(committed).doesNotContain("b");
  }

  @Test
  void aBatchWhoseStagingFailsFailsAloneAndTheNextOneIsStaged() throws Exception {
    writer =
        new GroupCommitWriter<>(
            "test-pipeline",
            100,
            1,
            2,
            batch -> {
              if (batch.get(0).input().equals("boom")) {
                throw new IllegalStateException("statement failed");
              }
              return stage(batch);
            },
            t -> t instanceof RuntimeException re ? re : new ChatStoreException("failed", t),
            pool);
    CompletableFuture<String> boom = submit("boom");
    CompletableFuture<String> fine = submit("fine");
    assertThatThrownBy(() -> boom.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("statement failed");
    assertThat(fine.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("FINE");
    await().atMost(WAIT).until(() -> completed.size() == 2);
    assertThat(completed).containsExactly("boom", "fine");
  }

  @Test
  void closeDrainsTheQueueAndEveryLaneThenStops() throws Exception {
    writer(2);
    CountDownLatch releaseA = hold("a");
    CompletableFuture<String> a = submit("a");
    await().atMost(WAIT).until(() -> staged.contains("a"));
    CountDownLatch releaseB = hold("b");
    CompletableFuture<String> b = submit("b");
    await().atMost(WAIT).until(() -> staged.contains("b"));
    List<CompletableFuture<String>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(submit("q" + i)); // both lanes are busy: these wait in the queue
    }
    CompletableFuture<Void> closing =
        CompletableFuture.runAsync(() -> writer.close(WAIT.multipliedBy(2)));
    await().atMost(WAIT).until(() -> writer.submit("late", 1).isCompletedExceptionally());
    assertThatThrownBy(() -> writer.submit("late", 1).join())
        .cause()
        .isInstanceOf(ChatStoreException.class)
        .hasMessageContaining("closed");
    assertThat(closing).isNotDone();

    releaseB.countDown();
    releaseA.countDown();
    closing.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
    assertThat(a.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(b.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("B");
    for (int i = 0; i < queued.size(); i++) {
      assertThat(queued.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("Q" + i);
    }
    await().atMost(WAIT).until(() -> completed.size() == 22);
    assertThat(completed.subList(0, 3)).containsExactly("a", "b", "q0");
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("test-pipeline"));
  }
}
