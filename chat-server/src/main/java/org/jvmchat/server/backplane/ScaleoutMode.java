package org.jvmchat.server.backplane;

import org.jvmchat.hub.spi.HubLifetimeManagerFactory;

/**
 * How hub messages reach connections held by other server instances: the seam where a scale-out
 * backplane (Redis) plugs in. {@link #inProcess()} is the default for a single instance.
 */
public interface Backplane extends AutoCloseable {
  /** A short name for logs and {@code /health}, e.g. {@code in-process} or {@code redis}. */
  String name();

  /** The lifetime managers of the hubs, or {@code null} for the hub core's in-process one. */
  HubLifetimeManagerFactory lifetimeManagerFactory();

  /** Whether the backplane answers now (for {@code /health} and readiness); never throws. */
  Health check();

  @Override
  default void close() {}

  /** The answer of {@link #check()}. */
  record Health(boolean healthy, String detail) {}

  /** One instance: every connection is in this process, nothing to reach. */
  static Backplane inProcess() {
    return new Backplane() {
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
        return new Health(true, "in-process backplane (single instance)");
      }
    };
  }
}
