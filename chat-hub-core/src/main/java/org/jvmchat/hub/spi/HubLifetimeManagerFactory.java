package org.jvmchat.hub.spi;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.protocol.HubProtocol;

/** Makes the lifetime manager of one hub; the server calls it once per mapped hub. */
@FunctionalInterface
public interface HubLifetimeManagerFactory {
  HubLifetimeManager create(Context context);

  /**
   * What the server hands a factory. The executor and the scheduler are the server's: created once
   * for every hub and shut down by the server after it closed the lifetime managers, so a manager
   * uses them and never shuts them down.
   *
   * @param hubName a stable name of the hub (its path), for channel naming
   * @param protocols every protocol the hub speaks, for serializing once per protocol
   * @param executor where work that must not run on an I/O thread goes (client results complete
   *     here); a manager falls back to the calling thread when it rejects work
   * @param scheduler for timeouts (client results, acknowledgements)
   */
  record Context(
      String hubName,
      List<HubProtocol> protocols,
      Executor executor,
      ScheduledExecutorService scheduler) {
    public Context {
      Objects.requireNonNull(hubName, "hubName");
      protocols = List.copyOf(protocols);
      Objects.requireNonNull(executor, "executor");
      Objects.requireNonNull(scheduler, "scheduler");
    }
  }
}
