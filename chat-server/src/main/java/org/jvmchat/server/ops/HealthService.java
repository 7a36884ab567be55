package org.jvmchat.server.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.StoreHealth;
import org.jvmchat.server.backplane.ScaleoutMode;

/**
 * Health of the server's dependencies: {@code store}, {@code backplane} and {@code assistant}. The
 * server is healthy (and ready) when the store and the backplane answer; the assistant is optional:
 * {@code disabled} without a key, {@code healthy} with a detail saying it is configured (the
 * provider is never called from a health check) and how its last answer went. Readiness also turns
 * false, for good, once shutdown begins.
 */
public final class HealthService {
  /** The state of one dependency. */
  public enum Status {
    HEALTHY("healthy"),
    UNHEALTHY("unhealthy"),
    DISABLED("disabled");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** One entry of the report. */
  public record Entry(Status status, String detail, long durationMs) {}

  /** The whole report; {@code healthy} decides 200 or 503. */
  public record Report(boolean healthy, Map<String, Entry> entries) {}

  private final ChatStore store;
  private final ScaleoutMode backplane;
  private final java.util.function.Supplier<Entry> assistant;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();

  /**
   * @param assistantDetail why the assistant is disabled
   */
  public HealthService(ChatStore store, ScaleoutMode backplane, String assistantDetail) {
    this(store, backplane, () -> new Entry(Status.DISABLED, assistantDetail, 0));
  }

  /**
   * @param assistant the assistant's entry: {@code disabled} or {@code healthy} (configured); it
   *     never makes the report unhealthy and must not block
   */
  public HealthService(
      ChatStore store, ScaleoutMode backplane, java.util.function.Supplier<Entry> assistant) {
    this.store = store;
    this.backplane = backplane;
    this.assistant = assistant;
  }

  /** From now on readiness answers 503. */
  public void shuttingDown() {
    shuttingDown.set(true);
  }

  public boolean isShuttingDown() {
    return shuttingDown.get();
  }

  /** Checks every dependency (blocking, bounded by the store's connect timeout). */
  public Report check() {
    Map<String, Entry> entries = new LinkedHashMap<>();
    StoreHealth sh;
    try {
      sh = store.ping();
    } catch (RuntimeException e) {
      sh = StoreHealth.down("the store check failed: " + e.getMessage(), Duration.ZERO);
    }
    entries.put(
        "store",
        new Entry(
            sh.healthy() ? Status.HEALTHY : Status.UNHEALTHY,
            sh.detail(),
            sh.latency().toMillis()));
    long start = System.nanoTime();
    ScaleoutMode.Health bh;
    try {
      bh = backplane.check();
    } catch (RuntimeException e) {
      bh = new ScaleoutMode.Health(false, "the backplane check failed: " + e.getMessage());
    }
    entries.put(
        "backplane",
        new Entry(
            bh.healthy() ? Status.HEALTHY : Status.UNHEALTHY,
            bh.detail(),
            Duration.ofNanos(System.nanoTime() - start).toMillis()));
    entries.put("assistant", assistant.get());
    // The assistant is optional: it never makes the server unhealthy or unready.
    boolean healthy =
        entries.get("store").status() != Status.UNHEALTHY
            && entries.get("backplane").status() != Status.UNHEALTHY;
    return new Report(healthy, entries);
  }

  /** Ready: not shutting down, and the store and the backplane answer. */
  public Report readiness() {
    if (shuttingDown.get()) {
      return new Report(false, Map.of());
    }
    return check();
  }
}
