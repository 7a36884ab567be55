package org.jvmchat.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jvmchat.hub.spi.Backplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory backplane: several server instances in one JVM, each with its own {@code
 * LocalBackplane} from one shared {@link Broker} (the role Redis plays). Semantics follow Redis
 * pub/sub: a publish reaches the backplanes subscribed at that moment and reports how many; each
 * backplane delivers on its own thread in arrival order; nothing is stored. {@link #disconnect()}
 * and {@link #reconnect()} simulate losing the broker: meanwhile publishes fail and nothing is
 * delivered to this backplane, and its subscriptions come back on reconnect.
 *
 * <p>Each backplane queues at most {@value #QUEUE_CAPACITY} undelivered payloads; when the queue is
 * full the payload is dropped for this backplane and counted ({@link #droppedDeliveries()}).
 */
public final class LocalBackplane implements Backplane {
  private static final Logger log = LoggerFactory.getLogger(LocalBackplane.class);
  static final int QUEUE_CAPACITY = 10_000;
  private static final AtomicInteger NODES = new AtomicInteger();

  /** The shared in-memory broker: one per simulated cluster. */
  public static final class Broker {
    private final Map<String, Set<LocalBackplane>> subscribers = new ConcurrentHashMap<>();

    /** A new backplane (one server instance's connection) on this broker. */
    public LocalBackplane connect() {
      return new LocalBackplane(this);
    }

    long publish(String channel, byte[] payload) {
      Set<LocalBackplane> nodes = subscribers.get(channel);
      long receivers = 0;
      if (nodes != null) {
        for (LocalBackplane node : nodes) {
          if (node.connected) {
            node.enqueue(channel, payload);
            receivers++;
          }
        }
      }
      return receivers;
    }

    void add(String channel, LocalBackplane node) {
      subscribers.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(node);
    }

    void remove(String channel, LocalBackplane node) {
      subscribers.computeIfPresent(
          channel,
          (c, set) -> {
            set.remove(node);
            return set.isEmpty() ? null : set;
          });
    }
  }

  private static final class LocalSubscription implements Subscription {
    final String channel;
    final Consumer<byte[]> handler;
    volatile boolean active = true;

    LocalSubscription(String channel, Consumer<byte[]> handler) {
      this.channel = channel;
      this.handler = handler;
    }

    @Override
    public String channel() {
      return channel;
    }
  }

  private final Broker broker;
  private final String name = "local-" + NODES.incrementAndGet();
  private final Map<String, List<LocalSubscription>> subscriptions = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor delivery;
  private final AtomicLong publishFailures = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean connected = true;
  private volatile boolean closed;

  private LocalBackplane(Broker broker) {
    this.broker = broker;
    this.delivery =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE_CAPACITY),
            r -> {
              Thread t = new Thread(r, "jvmchat-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public CompletableFuture<Long> publish(String channel, byte[] payload) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException(name + " is closed"));
    }
    if (!connected) {
      publishFailures.incrementAndGet();
      return CompletableFuture.failedFuture(
          new IllegalStateException(name + " is disconnected from its broker"));
    }
    return CompletableFuture.completedFuture(broker.publish(channel, payload));
  }

  @Override
  public CompletableFuture<Subscription> subscribe(String channel, Consumer<byte[]> handler) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException(name + " is closed"));
    }
    LocalSubscription s = new LocalSubscription(channel, handler);
    synchronized (this) {
      subscriptions.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(s);
      broker.add(channel, this);
    }
    return CompletableFuture.completedFuture(s);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(Subscription subscription) {
    if (subscription instanceof LocalSubscription s) {
      s.active = false;
      synchronized (this) {
        List<LocalSubscription> list = subscriptions.get(s.channel);
        if (list != null) {
          list.remove(s);
          if (list.isEmpty()) {
            subscriptions.remove(s.channel);
            broker.remove(s.channel, this);
          }
        }
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  private void enqueue(String channel, byte[] payload) {
    try {
      delivery.execute(
          () -> {
            if (!connected) {
              return;
            }
            List<LocalSubscription> list = subscriptions.get(channel);
            if (list != null) {
              for (LocalSubscription s : list) {
                if (s.active) {
                  try {
                    s.handler.accept(payload);
                  } catch (RuntimeException e) {
                    log.error("{}: a subscriber of {} failed", name, channel, e);
                  }
                }
              }
            }
          });
    } catch (RejectedExecutionException e) {
      dropped.incrementAndGet();
    }
  }

  /** Simulates losing the broker: publishes fail and nothing is delivered here until reconnect. */
  public void disconnect() {
    connected = false;
  }

  /** Ends a simulated outage; subscriptions are active again. */
  public void reconnect() {
    if (!connected) {
      reconnects.incrementAndGet();
      connected = true;
    }
  }

  /** Payloads dropped because this backplane's delivery queue was full. */
  public long droppedDeliveries() {
    return dropped.get();
  }

  @Override
  public boolean isConnected() {
    return connected && !closed;
  }

  @Override
  public Status status() {
    return new Status(
        isConnected(),
        name,
        publishFailures.get(),
        reconnects.get(),
        connected ? null : "disconnected");
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (this) {
      for (String channel : subscriptions.keySet()) {
        broker.remove(channel, this);
      }
      subscriptions.clear();
    }
    delivery.shutdownNow();
  }

  @Override
  public String toString() {
    return "LocalBackplane[" + name + "]";
  }
}
