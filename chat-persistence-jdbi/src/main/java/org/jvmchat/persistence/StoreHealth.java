package org.jvmchat.persistence;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of {@link ChatStore#ping()}.
 *
 * @param healthy whether the store answered
 * @param detail what was checked and, when unhealthy, why it failed (readable, no secrets)
 * @param latency how long the check took
 */
public record StoreHealth(boolean healthy, String detail, Duration latency) {
  public StoreHealth {
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(latency, "latency");
  }

  public static StoreHealth up(String detail, Duration latency) {
    return new StoreHealth(true, detail, latency);
  }

  public static StoreHealth down(String detail, Duration latency) {
    return new StoreHealth(false, detail, latency);
  }
}
