package org.jvmchat.hub.spi;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Publish/subscribe between server instances: the only thing a scale-out lifetime manager needs
 * from a broker such as Redis. Channel naming, the local short-circuit, group acknowledgements and
 * client results are written once, on top of this interface, by the scale-out manager ({@link
 * ScaleoutLifetimeManagers}); a backplane only moves opaque bytes.
 *
 * <p>Delivery is at-most-once unless a backplane says more for {@link #deliver}: a message
 * published while the broker is unreachable, or while a subscriber is disconnected, is lost (no
 * buffering, no replay). A backplane never blocks the caller: every method returns at once.
 *
 * <p>Implementations must be thread-safe and pass the scale-out contract suite ({@code
 * org.jvmchat.testing.ScaleoutHubLifetimeManagerContract} in the test-scoped module
 * chat-test-support) when used by the scale-out manager. Channel names come from the manager,
 * prefix included ({@link ScaleoutOptions#channelPrefix()}): a backplane uses them as they are.
 */
public interface Backplane extends AutoCloseable {

  /**
   * Publishes {@code payload} on {@code channel}. Completes with the number of backplane clients
   * (server instances) subscribed to the channel that received it, or exceptionally when the broker
   * cannot be reached (the message is then lost).
   */
  CompletableFuture<Long> publish(String channel, byte[] payload);

  /**
   * Publishes a hub message whose receiver count the caller does not need (a send to all, a group,
   * a user or a connection). A backplane that can keep messages across an outage (e.g. {@code
   * RedisBackplane} in its stream mode) takes this path to buffer what it cannot publish yet and to
   * let subscribers that were cut off read what they missed, in order and once; {@link #publish}
   * stays the path of messages that need the count now (group commands, client results, existence
   * probes). Completes when the message is published or, for such a backplane, kept for later;
   * exceptionally when it is lost. The default is {@link #publish}.
   */
  default CompletableFuture<Void> deliver(String channel, byte[] payload) {
    return publish(channel, payload).thenApply(n -> null);
  }

  /**
   * Calls {@code handler} with every payload later published on {@code channel}. A backplane calls
   * its handlers from its own delivery thread, one payload at a time, in the order the broker
   * delivered them (for one publisher: publish order, across channels too); handlers must not
   * block. Several subscriptions to one channel are allowed and each gets every payload.
   *
   * <p>Completes with a handle once the broker confirmed the subscription. When the broker is
   * unreachable the subscription is still registered and completes at once: it becomes active (and
   * is restored after every reconnect) without the caller doing anything.
   */
  CompletableFuture<Subscription> subscribe(String channel, Consumer<byte[]> handler);

  /** Ends a subscription; its handler is not called afterwards. Idempotent. */
  CompletableFuture<Void> unsubscribe(Subscription subscription);

  /** Whether the broker is reachable right now (what a health check reports). */
  boolean isConnected();

  /** A snapshot for health checks and logs. */
  default Status status() {
    return new Status(isConnected(), getClass().getSimpleName(), 0, 0, null);
  }

  /** Closes what this backplane created (connections, threads). Idempotent. */
  @Override
  void close();

  /** A subscription made by {@link #subscribe}. */
  interface Subscription {
    String channel();
  }

  /**
   * The health of a backplane.
   *
   * @param connected whether the broker is reachable now
   * @param target what the backplane connects to (no credentials), e.g. {@code
   *     redis://127.0.0.1:6379/0}
   * @param publishFailures publishes that failed since start: those messages reached no other
   *     instance
   * @param reconnects times the connection to the broker was re-established after a loss
   * @param lastError the last connection or publish error, or {@code null}
   */
  record Status(
      boolean connected, String target, long publishFailures, long reconnects, String lastError) {}
}
