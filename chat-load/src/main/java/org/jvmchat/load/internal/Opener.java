package org.jvmchat.load.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Opens {@code n} connections with at most {@code concurrency} in flight: TCP connect, WebSocket
 * upgrade, protocol handshake and JoinRoom; a connection counts once its JoinRoom completed.
 */
public final class Opener {
  private Opener() {}

  /**
   * @param conns the open connections, by index (null where one failed)
   * @param failed how many did not make it
   * @param elapsedNanos from the first connect to the last join
   * @param firstError why the first failure failed, or null
   */
  public record Opened(List<Conn> conns, int failed, long elapsedNanos, String firstError) {
    public int opened() {
      return conns.size() - failed;
    }

    /** The error of a run some of whose connections failed. */
    public String failure() {
      return failed + " of " + conns.size() + " connections failed: " + firstError;
    }
  }

  public static Opened open(
      Driver driver,
      Target target,
      int n,
      int concurrency,
      IntFunction<Conn> newConn,
      Setup setup,
      double timeoutSeconds)
      throws InterruptedException {
    return open(driver, i -> target, n, concurrency, newConn, setup, timeoutSeconds);
  }

  /** As above, connection {@code i} to {@code targetOf.apply(i)}. */
  public static Opened open(
      Driver driver,
      IntFunction<Target> targetOf,
      int n,
      int concurrency,
      IntFunction<Conn> newConn,
      Setup setup,
      double timeoutSeconds)
      throws InterruptedException {
    Conn[] conns = new Conn[n];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    AtomicLong last = new AtomicLong();
    CountDownLatch done = new CountDownLatch(n);
    long start = Clock.now();
    Runnable[] launch = new Runnable[1];
    launch[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= n) {
            return;
          }
          Conn c = newConn.apply(i);
          driver
              .open(targetOf.apply(i), setup.token(i), c)
              .thenCompose(x -> c.join(setup.room(i)))
              .whenComplete(
                  (x, e) -> {
                    if (e == null) {
                      conns[i] = c;
                    } else {
                      failed.incrementAndGet();
                      Throwable t = e.getCause() != null ? e.getCause() : e;
                      firstError.compareAndSet(null, String.valueOf(t.getMessage()));
                      c.close();
                    }
                    last.set(Clock.now());
                    done.countDown();
                    launch[0].run();
                  });
        };
    for (int k = 0; k < Math.max(1, concurrency); k++) {
      launch[0].run();
    }
    if (!done.await((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS)) {
      next.set(n); // launch no more
      firstError.compareAndSet(null, "timed out after " + timeoutSeconds + " s");
      last.set(Clock.now());
    }
    List<Conn> out = new ArrayList<>(n);
    int missing = 0;
    synchronized (conns) {
      for (Conn c : conns) {
        out.add(c);
        if (c == null) {
          missing++;
        }
      }
    }
    return new Opened(
        Collections.unmodifiableList(out), missing, last.get() - start, firstError.get());
  }
}
