package org.jvmchat.hub.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerContract;

/** The in-process lifetime manager passes the contract. */
class DefaultHubLifetimeManagerTest extends HubLifetimeManagerContract {
  private static final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  static void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Override
  protected HubLifetimeManager newManager() {
    return new DefaultHubLifetimeManager(scheduler, scheduler);
  }
}
