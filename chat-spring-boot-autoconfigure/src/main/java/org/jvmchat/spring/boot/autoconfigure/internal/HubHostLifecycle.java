package org.jvmchat.spring.boot.autoconfigure.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the hub host with the application and stops it gracefully before the web server stops: its
 * phase is above Spring Boot's web server graceful shutdown ({@code DEFAULT_PHASE - 1024}) and its
 * start/stop ({@code DEFAULT_PHASE - 2048}), so hubs start once the web server is up and, on
 * shutdown, clients get their Close (with {@code allowReconnect: true}) and held Server-Sent Events
 * and long-polling requests end before the container waits for active requests.
 */
public final class HubHostLifecycle implements SmartLifecycle {
  /** Stops before Spring Boot's web server graceful shutdown (and starts after the web server). */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private static final Logger log = LoggerFactory.getLogger(HubHostLifecycle.class);

  private final HubHost host;
  private final Duration grace;
  private final AtomicBoolean running = new AtomicBoolean();

  public HubHostLifecycle(HubHost host, Duration grace) {
    this.host = host;
    this.grace = grace;
  }

  @Override
  public void start() {
    if (running.compareAndSet(false, true)) {
      host.start();
      log.debug("Hubs served by {}", host.description());
    }
  }

  @Override
  public void stop() {
    if (running.compareAndSet(true, false)) {
      host.stop(grace);
    }
  }

  @Override
  public void stop(Runnable callback) {
    try {
      stop();
    } finally {
      callback.run();
    }
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
