package org.jvmchat.spring.boot.autoconfigure.internal;

import java.time.Duration;
import org.jvmchat.hub.HubContext;

/** Where the hubs are served: jvmchat's own Netty server or the application's Servlet container. */
public interface HubHost {
  /**
   * Starts serving (the Netty host binds its port; the Servlet host is served by the container).
   */
  void start();

  /**
   * Graceful stop: every client gets a Close with {@code allowReconnect: true}, in-flight
   * invocations may finish for at most {@code grace}. Idempotent.
   */
  void stop(Duration grace);

  HubContext hubContext(String path);

  /** A line for the log: where the hubs are served. */
  String description();
}
