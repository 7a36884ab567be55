package org.jvmchat.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.StoreOverloadedException;
import org.jvmchat.persistence.StoreUnavailableException;

class GroupCommitWriterTest {
  private final List<List<String>> batches = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstBatchStarted = new CountDownLatch(1);
  private final CountDownLatch releaseFirstBatch = new CountDownLatch(1);
  private volatile boolean failBatches;
  private volatile boolean committed;
  private GroupCommitWriter<String, String> writer;

  /** A batch writer that holds the first batch until released, then stores by upper-casing. */
  private void write(List<GroupCommitWriter.Unit<String, String>> batch) throws Exception {
    List<String> inputs = new ArrayList<>();
    for (var unit : batch) {
      inputs.add(unit.input());
    }
    batches.add(inputs);
    if (firstBatchStarted.getCount() > 0) {
      firstBatchStarted.countDown();
      assertThat(releaseFirstBatch.await(20, TimeUnit.SECONDS)).isTrue();
    }
    for (var unit : batch) {
      if (unit.input().startsWith("bad")) {
        unit.reject(new IllegalArgumentException("rejected " + unit.input()));
      } else {
        unit.succeed(unit.input().toUpperCase());
      }
    }
    if (failBatches) {
      throw new java.sql.SQLException("connection lost", "08006");
    }
    committed = true;
  }

  private GroupCommitWriter<String, String> writer(int capacity, int maxBatch) {
    writer =
        new GroupCommitWriter<>(
            "test-writer",
            capacity,
            maxBatch,
            this::write,
            t -> StoreErrors.translate("storing the message", t),
            Runnable::run);
    return writer;
  }

  @AfterEach
  void close() {
    releaseFirstBatch.countDown();
    if (writer != null) {
      writer.close(Duration.ofSeconds(10));
    }
  }

  private static String get(CompletableFuture<String> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void appendsThatArriveWhileATransactionRunsShareTheNextOne() throws Exception {
    writer(100, 50);
    CompletableFuture<String> first = writer.submit("a", 1);
    assertThat(firstBatchStarted.await(20, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<String>> rest = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rest.add(writer.submit("m" + i, 1));
    }
    assertThat(first).isNotDone(); // not acknowledged before its transaction returned
    releaseFirstBatch.countDown();

    assertThat(get(first)).isEqualTo("A");
    for (int i = 0; i < 10; i++) {
      assertThat(get(rest.get(i))).isEqualTo("M" + i); // each caller gets its own result
    }
    assertThat(batches).hasSize(2);
    assertThat(batches.get(1))
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    assertThat(writer.batches()).isEqualTo(2);
    assertThat(writer.items()).isEqualTo(11);
  }

  @Test
  void batchesAreCappedAtMaxBatchItems() throws Exception {
    writer(100, 4);
    CompletableFuture<String> first = writer.submit("a", 1);
    assertThat(firstBatchStarted.await(20, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<String>> rest = new ArrayList<>();
    rest.add(writer.submit("three", 3));
    rest.add(writer.submit("two", 2));
    rest.add(writer.submit("one", 1));
    releaseFirstBatch.countDown();
    get(first);
    for (CompletableFuture<String> f : rest) {
      get(f);
    }
    assertThat(batches).containsExactly(List.of("a"), List.of("three"), List.of("two", "one"));
  }

  @Test
  void whenTheTransactionFailsEveryCallerInTheBatchGetsTheError() throws Exception {
    failBatches = true;
    writer(100, 50);
    CompletableFuture<String> first = writer.submit("a", 1);
    assertThat(firstBatchStarted.await(20, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> second = writer.submit("b", 1);
    CompletableFuture<String> third = writer.submit("c", 1);
    releaseFirstBatch.countDown();
    for (CompletableFuture<String> f : List.of(first, second, third)) {
      assertThatThrownBy(() -> get(f))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessage("storing the message failed: the database is unavailable (connection lost)");
    }
    assertThat(committed).isFalse();
  }

  @Test
  void aRejectedUnitFailsAloneWhileTheOthersSucceed() throws Exception {
    writer(100, 50);
    CompletableFuture<String> first = writer.submit("a", 1);
    assertThat(firstBatchStarted.await(20, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> bad = writer.submit("bad-one", 1);
    CompletableFuture<String> good = writer.submit("good", 1);
    releaseFirstBatch.countDown();
    assertThat(get(first)).isEqualTo("A");
    assertThat(get(good)).isEqualTo("GOOD");
    assertThatThrownBy(() -> get(bad))
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rejected bad-one");
  }

  @Test
  void aFullQueueRefusesAtOnceWithAReadableError() throws Exception {
    writer(2, 50);
    CompletableFuture<String> first = writer.submit("a", 1);
    assertThat(firstBatchStarted.await(20, TimeUnit.SECONDS)).isTrue(); // the queue is empty again
    CompletableFuture<String> queued1 = writer.submit("b", 1);
    CompletableFuture<String> queued2 = writer.submit("c", 1);
    CompletableFuture<String> refused = writer.submit("d", 1);

    assertThat(refused).isCompletedExceptionally();
    assertThatThrownBy(refused::join)
        .cause()
        .isInstanceOf(StoreOverloadedException.class)
        .hasMessage(
            "the message write queue is full (2 waiting); message not stored, try again shortly");
    releaseFirstBatch.countDown();
    assertThat(get(first)).isEqualTo("A");
    assertThat(get(queued1)).isEqualTo("B");
    assertThat(get(queued2)).isEqualTo("C");
    assertThat(batches).noneMatch(b -> b.contains("d"));
  }

  @Test
  void closeWritesWhatIsQueuedThenRefusesNewAppendsAndStopsTheThread() throws Exception {
    writer(100, 50);
    CompletableFuture<String> first = writer.submit("a", 1);
    assertThat(firstBatchStarted.await(20, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = writer.submit("b", 1);
    CompletableFuture<Void> closing =
        CompletableFuture.runAsync(() -> writer.close(Duration.ofSeconds(20)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> writer.submit("late", 1).isCompletedExceptionally());
    assertThatThrownBy(() -> writer.submit("late", 1).join())
        .cause()
        .isInstanceOf(ChatStoreException.class)
        .hasMessageContaining("closed");
    releaseFirstBatch.countDown();
    closing.get(20, TimeUnit.SECONDS);
    assertThat(get(first)).isEqualTo("A");
    assertThat(get(queued)).isEqualTo("B");
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("test-writer"));
  }
}
