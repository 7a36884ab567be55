package org.jvmchat.hub.spi;

import java.util.Objects;
import org.jvmchat.hub.internal.scaleout.ScaleoutHubLifetimeManager;

/**
 * Lifetime managers that reach connections held by other server instances through a {@link
 * Backplane}. Every instance of an application uses the same backplane (broker) and the same
 * channel prefix.
 *
 * <pre>{@code
 * Backplane backplane = RedisBackplane.create("redis://127.0.0.1:6379", "myapp:");
 * HubServer server = HubServer.builder()
 *     .hub("/hubs/chat", ChatHub::new)
 *     .lifetimeManagerFactory(ScaleoutLifetimeManagers.factory(backplane))
 *     .build()
 *     .start();
 * }</pre>
 *
 * The backplane is the caller's: closing a manager does not close it.
 */
public final class ScaleoutLifetimeManagers {
  private ScaleoutLifetimeManagers() {}

  /** A factory with {@link ScaleoutOptions#defaults()}. */
  public static HubLifetimeManagerFactory factory(Backplane backplane) {
    return factory(backplane, ScaleoutOptions.defaults());
  }

  /** A factory whose channels all start with {@code channelPrefix}. */
  public static HubLifetimeManagerFactory factory(Backplane backplane, String channelPrefix) {
    return factory(backplane, ScaleoutOptions.builder().channelPrefix(channelPrefix).build());
  }

  public static HubLifetimeManagerFactory factory(Backplane backplane, ScaleoutOptions options) {
    Objects.requireNonNull(backplane, "backplane");
    Objects.requireNonNull(options, "options");
    return (hubName, protocols) ->
        new ScaleoutHubLifetimeManager(hubName, protocols, backplane, options);
  }
}
