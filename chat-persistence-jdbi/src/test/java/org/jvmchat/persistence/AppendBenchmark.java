package org.jvmchat.persistence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jvmchat.persistence.internal.JdbiChatStore;

/**
 * Load benchmark (not a test): durable appends per second with 1, 8 and 64 concurrent senders
 * against the PostgreSQL at {@code DATABASE_URL} (default: the local {@code test} database), each
 * in a fresh schema that is dropped afterwards. Every sender is a closed loop: append, wait for the
 * commit, repeat. It runs with group commit (default batch size) on one and on two writer
 * connections (pipelined), and with one transaction per message ({@code writeBatchSize=1}, one
 * connection) for comparison. "batch ms" is the mean time from taking a batch to its commit
 * returning (statements plus COMMIT).
 *
 * <pre>
 * mvn -q -pl chat-persistence-jdbi test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=org.jvmchat.persistence.AppendBenchmark -Dexec.args="1,8,64 10 3"
 * </pre>
 *
 * Arguments: sender counts (comma separated), measured seconds, warm-up seconds, rooms (default 8;
 * sender i writes to room i mod rooms).
 */
public final class AppendBenchmark {
  private AppendBenchmark() {}

  public static void main(String[] args) throws Exception {
    int[] senderCounts =
        Arrays.stream((args.length > 0 ? args[0] : "1,8,64").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    Duration measure = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
    Duration warmup = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 3);
    int roomCount = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    System.out.printf(
        "PostgreSQL %s, %d cores, %ss measured after %ss warm-up, %d rooms, content 100 chars%n",
        TestDatabases.databaseUrl(),
        Runtime.getRuntime().availableProcessors(),
        measure.toSeconds(),
        warmup.toSeconds(),
        roomCount);
    System.out.println(
        "| mode | senders | appends/s | mean batch | batch ms | p50 ms | p99 ms |\n"
            + "|---|---|---|---|---|---|---|");
    int[][] modes = {
      {StoreOptions.DEFAULT_WRITE_BATCH_SIZE, 1},
      {StoreOptions.DEFAULT_WRITE_BATCH_SIZE, 2},
      {1, 1}
    };
    for (int[] mode : modes) {
      for (int senders : senderCounts) {
        run(mode[0], mode[1], senders, roomCount, measure, warmup);
      }
    }
  }

  private static void run(
      int batchSize, int connections, int senders, int roomCount, Duration measure, Duration warmup)
      throws Exception {
    StoreOptions settings =
        TestDatabases.externalSettings()
            .poolSize(4)
            .writeBatchSize(batchSize)
            .writeConnections(connections)
            .build();
    try (ChatStore store = ChatStores.open(settings)) {
      List<Room> rooms = new ArrayList<>();
      for (int i = 0; i < roomCount; i++) {
        rooms.add(store.createRoom("bench " + i, false, "bench"));
      }
      String content = "x".repeat(100);
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder count = new LongAdder();
      long[][] latencies = new long[senders][];
      CountDownLatch done = new CountDownLatch(senders);
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        int sender = s;
        Thread t =
            new Thread(
                () -> {
                  long[] mine = new long[1 << 20];
                  int n = 0;
                  Room room = rooms.get(sender % rooms.size());
                  try {
                    while (!stop.get()) {
                      long start = System.nanoTime();
                      store
                          .append(NewMessage.user(room.id(), "sender" + sender, "S", content))
                          .get(30, TimeUnit.SECONDS);
                      if (measuring.get()) {
                        count.increment();
                        if (n < mine.length) {
                          mine[n++] = System.nanoTime() - start;
                        }
                      }
                    }
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    latencies[sender] = Arrays.copyOf(mine, n);
                    done.countDown();
                  }
                },
                "sender-" + s);
        threads.add(t);
        t.start();
      }
      Thread.sleep(warmup.toMillis());
      var writer = ((JdbiChatStore) store).writer();
      long batches0 = writer.batches();
      long items0 = writer.items();
      long nanos0 = writer.writeNanos();
      measuring.set(true);
      long start = System.nanoTime();
      Thread.sleep(measure.toMillis());
      measuring.set(false);
      double seconds = (System.nanoTime() - start) / 1e9;
      long appends = count.sum();
      long batchCount = Math.max(1, writer.batches() - batches0);
      double meanBatch = (writer.items() - items0) / (double) batchCount;
      double batchMs = (writer.writeNanos() - nanos0) / 1e6 / batchCount;
      stop.set(true);
      done.await(60, TimeUnit.SECONDS);
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      System.out.printf(
          "| %s | %d | %,.0f | %.1f | %.2f | %.2f | %.2f |%n",
          batchSize == 1
              ? "one transaction per message"
              : "group commit, " + connections + " connection" + (connections == 1 ? "" : "s"),
          senders,
          appends / seconds,
          meanBatch,
          batchMs,
          percentile(all, 0.50),
          percentile(all, 0.99));
    } finally {
      TestDatabases.dropSchema(TestDatabases.databaseUrl(), settings.schema());
    }
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
  }
}
