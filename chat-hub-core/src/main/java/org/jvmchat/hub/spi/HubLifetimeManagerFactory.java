package org.jvmchat.hub.spi;

import java.util.List;
import org.jvmchat.protocol.HubProtocol;

/** Makes the lifetime manager of one hub. */
@FunctionalInterface
public interface HubLifetimeManagerFactory {
  /**
   * @param hubName a stable name of the hub (its path), for channel naming
   * @param protocols every protocol the hub speaks, for serializing once per protocol
   */
  HubLifetimeManager create(String hubName, List<HubProtocol> protocols);
}
