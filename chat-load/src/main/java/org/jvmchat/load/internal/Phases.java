package org.jvmchat.load.internal;

import java.util.function.BooleanSupplier;

/** Waiting helpers for the main thread of a run. */
public final class Phases {
  private Phases() {}

  /** Sleeps until {@link Clock#now()} reaches {@code t}. */
  public static void sleepUntil(long t) throws InterruptedException {
    long left;
    while ((left = t - Clock.now()) > 0) {
      Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
    }
  }

  /** Polls {@code done} every 20 ms until it holds or {@code deadline}; returns whether it held. */
  public static boolean await(BooleanSupplier done, long deadline) throws InterruptedException {
    while (!done.getAsBoolean()) {
      if (Clock.now() >= deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  public static long seconds(double s) {
    return (long) (s * 1e9);
  }
}
