package org.jvmchat.spring.boot.autoconfigure;

import org.jvmchat.hub.HubServer;

/**
 * Customizes the Netty {@link HubServer} that serves the hubs on their own port ({@code
 * jvmchat.server.port}) before it is built: HTTP limits, executor sizes, connection-token keys, and
 * whatever else {@link HubServer.Builder} offers beyond the properties.
 */
@FunctionalInterface
public interface HubServerCustomizer {
  void customize(HubServer.Builder builder);
}
