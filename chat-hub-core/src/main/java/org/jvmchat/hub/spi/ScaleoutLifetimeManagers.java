package org.jvmchat.hub.spi;

import java.util.Objects;
import org.jvmchat.hub.internal.scaleout.ScaleoutHubLifetimeManager;

/**
 * Lifetime managers that reach connections held by other server instances through a {@link
 * Backplane}. Every instance of an application uses the same backplane (broker) and the same
 * channel prefix.
 *
 * <pre>{@code
 * Backplane backplane = RedisBackplane.create("redis://127.0.0.1:6379");
 * HubServer server = HubServer.builder()
 *     .hub("/hubs/chat", ChatHub::new)
 *     .lifetimeManagerFactory(ScaleoutLifetimeManagers.factory(backplane, "myapp:"))
 *     .build()
 *     .start();
 * }</pre>
 *
 * The backplane is the caller's: closing a manager does not close it. The managers use the server's
 * executor and scheduler ({@link HubLifetimeManagerFactory.Context}) and start no thread.
 *
 * <p>Channel names: {@code {channelPrefix}{hub path}:all}, {@code ...:group:{name}}, {@code
 * ...:user:{id}}, {@code ...:connection:{id}} and this instance's internal channels. The prefix is
 * the one place to separate applications that share a broker; a backplane adds none of its own.
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
    return context -> new ScaleoutHubLifetimeManager(context, backplane, options);
  }

  /**
   * One scale-out manager for the hub of {@code context}, as {@link #factory(Backplane,
   * ScaleoutOptions)} makes it, typed for its counters.
   */
  public static ScaleoutLifetimeManager create(
      HubLifetimeManagerFactory.Context context, Backplane backplane, ScaleoutOptions options) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(backplane, "backplane");
    Objects.requireNonNull(options, "options");
    return new ScaleoutHubLifetimeManager(context, backplane, options);
  }
}
