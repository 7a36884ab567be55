package org.jvmchat.load.internal;

/**
 * The driver's one clock: nanoseconds since this class was loaded (never negative, so it can be
 * written into message content as plain digits). Senders and receivers live in the same JVM.
 */
public final class Clock {
  private static final long BASE = System.nanoTime();

  private Clock() {}

  public static long now() {
    return System.nanoTime() - BASE;
  }
}
