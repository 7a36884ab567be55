package org.jvmchat.client;

/** A registration (handler or listener) that {@link #close()} removes. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  /** Removes the registration; later calls do nothing. */
  @Override
  void close();
}
