package org.jvmchat.spring.boot.autoconfigure;

import org.jvmchat.hub.servlet.ServletHubHost;

/**
 * Customizes the Servlet host that serves the hubs on the application's port before it is built:
 * executor and I/O thread counts, the largest request body, and whatever else {@link
 * ServletHubHost.Builder} offers beyond the properties.
 */
@FunctionalInterface
public interface ServletHubHostCustomizer {
  void customize(ServletHubHost.Builder builder);
}
