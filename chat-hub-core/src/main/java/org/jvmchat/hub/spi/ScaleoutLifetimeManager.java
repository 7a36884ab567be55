package org.jvmchat.hub.spi;

/**
 * A lifetime manager that reaches other server instances through a {@link Backplane} (made by
 * {@link ScaleoutLifetimeManagers}), with the counters an operator (or a contract test) reads
 * beside {@link #isHealthy()}.
 */
public interface ScaleoutLifetimeManager extends HubLifetimeManager {
  /** Publishes that failed since start: those messages reached no other instance. */
  long publishFailures();

  /** Payloads received from the backplane that could not be read (and were dropped). */
  long invalidPayloads();
}
