package org.jvmchat.hub;

/**
 * An interceptor around hub method invocations and connection events, for cross-cutting concerns
 * (authorization, logging, metrics, rate limits). Filters run in the order they were added; each
 * calls {@code next} to continue (or not, to short-circuit). Every method defaults to passing
 * through.
 */
public interface HubFilter {

  /**
   * Whether {@link #invoke} never blocks (CPU work only), so that it may run on a connection's I/O
   * thread around a {@link NonBlocking} hub method. False by default: while any filter of a hub
   * says false, that hub's {@code @NonBlocking} methods run on the hub executor like the others.
   */
  default boolean nonBlocking() {
    return false;
  }

  /** Around one hub method invocation; returns the method's result (or throws its error). */
  default Object invoke(HubInvocationContext invocation, Next next) throws Exception {
    return next.invoke(invocation);
  }

  /**
   * Around {@link Hub#onConnectedAsync()} (which calls {@link Hub#onConnected()} unless the hub
   * overrides it): around the call that returns its stage, not the stage's completion. On the I/O
   * thread when the hub's {@code onConnectedAsync} is {@link NonBlocking} and every filter is
   * {@link #nonBlocking}.
   */
  default void onConnected(HubLifetimeContext context, LifetimeNext next) throws Exception {
    next.run(context);
  }

  /** Around {@link Hub#onDisconnected(Throwable)}. */
  default void onDisconnected(HubLifetimeContext context, Throwable error, DisconnectNext next)
      throws Exception {
    next.run(context, error);
  }

  interface Next {
    Object invoke(HubInvocationContext invocation) throws Exception;
  }

  interface LifetimeNext {
    void run(HubLifetimeContext context) throws Exception;
  }

  interface DisconnectNext {
    void run(HubLifetimeContext context, Throwable error) throws Exception;
  }
}
