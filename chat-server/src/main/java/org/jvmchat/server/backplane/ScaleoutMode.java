package org.jvmchat.server.backplane;

import org.jvmchat.hub.spi.HubLifetimeManagerFactory;

/**
 * How this chat server scales out: whether hub messages reach connections held by other server
 * instances, and through which backplane. In SignalR terms it chooses the hub lifetime manager: the
 * in-process default ({@link #inProcess()}, one instance) or the scale-out manager on a backplane
 * ({@link RedisScaleout}). Not to be confused with the hub core's {@link
 * org.jvmchat.hub.spi.Backplane}, the publish/subscribe interface a scale-out mode uses.
 */
public interface ScaleoutMode extends AutoCloseable {
  /** Hears each publish to the backplane: how long until it was acknowledged, in ns. */
  @FunctionalInterface
  interface PublishObserver {
    void published(long nanos, boolean failed);
  }

  /** Reports every backplane publish to {@code observer} (nothing to report in-process). */
  default void observePublishes(PublishObserver observer) {}

  /** Reports the Redis commands of this mode, if it has any, to the server's Lettuce metrics. */
  default void observeRedisCommands(io.micrometer.core.instrument.MeterRegistry registry) {}

  /** A short name for logs and {@code /health}, e.g. {@code in-process} or {@code redis}. */
  String name();

  /** The lifetime managers of the hubs, or {@code null} for the hub core's in-process one. */
  HubLifetimeManagerFactory lifetimeManagerFactory();

  /** Whether the backplane answers now (for {@code /health} and readiness); never throws. */
  Health check();

  /** Closes the backplane connection, after the server using it stopped. */
  @Override
  default void close() {}

  /** The answer of {@link #check()}. */
  record Health(boolean healthy, String detail) {}

  /** One instance: every connection is in this process, nothing to reach. */
  static ScaleoutMode inProcess() {
    return new ScaleoutMode() {
      @Override
      public String name() {
        return "in-process";
      }

      @Override
      public HubLifetimeManagerFactory lifetimeManagerFactory() {
        return null;
      }

      @Override
      public Health check() {
        return new Health(true, "in-process (single instance, no backplane)");
      }
    };
  }
}
