package org.jvmchat.testing;

import java.util.List;
import org.jvmchat.hub.internal.lifetime.DefaultHubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.HubProtocol;

/** The in-process manager: one instance, so every "instance" of the contract is the same one. */
class DefaultHubLifetimeManagerContractTest extends HubLifetimeManagerContract {
  @Override
  protected List<HubLifetimeManager> createManagers(List<HubProtocol> protocols) {
    return List.of(new DefaultHubLifetimeManager(context("/hubs/contract", protocols)));
  }
}
