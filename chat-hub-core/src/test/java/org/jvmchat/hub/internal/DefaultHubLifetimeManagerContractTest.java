package org.jvmchat.hub.internal;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerContract;
import org.jvmchat.protocol.HubProtocol;

/** The in-process manager: one instance, so every "instance" of the contract is the same one. */
class DefaultHubLifetimeManagerContractTest extends HubLifetimeManagerContract {
  private ScheduledExecutorService scheduler;

  @Override
  protected List<HubLifetimeManager> createManagers(List<HubProtocol> protocols) {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    return List.of(new DefaultHubLifetimeManager(scheduler, Runnable::run));
  }

  @Override
  protected void afterManagersClosed() throws InterruptedException {
    scheduler.shutdownNow();
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
  }
}
