package org.jvmchat.hub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.hub.ConnectionEnded;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.HubServer;

/**
 * The hubs' meters in a Micrometer {@link MeterRegistry}: register it with {@link
 * HubServer.Builder#listener} (or, with the Spring Boot starter, it is a bean recording into
 * Actuator's registry). Needs {@code io.micrometer:micrometer-core} on the class path (an optional
 * dependency of this library). The meters, by Micrometer name (Prometheus turns the dots into
 * underscores and adds the unit: {@code signalr_server_connection_duration_seconds}):
 *
 * <ul>
 *   <li>{@code signalr.server.active_connections{signalr.transport}} (gauge) and {@code
 *       signalr.server.connection.duration{signalr.transport, signalr.connection.status}} (timer,
 *       ASP.NET Core's bucket boundaries 0.01 … 300 s): OpenTelemetry's semantic conventions for
 *       SignalR, as ASP.NET Core 8+ emits them; {@code signalr.transport} is {@code web_sockets},
 *       {@code server_sent_events} or {@code long_polling}
 *   <li>{@code jvmchat.hub.invocation.duration{hub, method, outcome}} (timer, 1 ms … 10 s; {@code
 *       outcome} is {@code success} or {@code error})
 *   <li>{@code jvmchat.hub.messages.received{hub, protocol}} / {@code
 *       jvmchat.hub.messages.sent{hub, protocol}} (counters)
 *   <li>{@code jvmchat.hub.outbound.queue.depth{hub}} (bytes, sampled once a second per connection,
 *       1 B … 4 MiB)
 * </ul>
 *
 * Thread-safe; every callback is a map look-up and an atomic operation, so it runs on I/O threads.
 */
public final class MicrometerHubMetrics implements ConnectionListener {
  /** ASP.NET Core's boundaries of {@code signalr.server.connection.duration}, in seconds. */
  private static final double[] CONNECTION_DURATION_BUCKETS = {
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300
  };

  private static final double[] INVOCATION_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };
  private static final double[] QUEUE_BUCKETS = {
    1, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304
  };

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Map<String, Timer> invocations = new ConcurrentHashMap<>();
  // hub path -> protocol -> counter: no key is built per message
  private final Map<String, Map<String, Counter>> received = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Counter>> sent = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> queueDepths = new ConcurrentHashMap<>();

  /** Records into {@code registry}; a meter is registered the first time it has a value. */
  public MicrometerHubMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * The OpenTelemetry {@code signalr.transport} value of a transport name ({@code WebSockets},
   * {@code ServerSentEvents}, {@code LongPolling}): {@code web_sockets}, {@code server_sent_events}
   * or {@code long_polling}.
   */
  private static String otelTransport(String transport) {
    return switch (transport) {
      case "WebSockets" -> "web_sockets";
      case "ServerSentEvents" -> "server_sent_events";
      case "LongPolling" -> "long_polling";
      default -> transport.toLowerCase(Locale.ROOT);
    };
  }

  /**
   * Bucket boundaries given in seconds, for {@link Timer.Builder#serviceLevelObjectives}: how a
   * histogram of durations gets the same boundaries as its OpenTelemetry counterpart.
   */
  public static Duration[] seconds(double... boundaries) {
    Duration[] d = new Duration[boundaries.length];
    for (int i = 0; i < boundaries.length; i++) {
      d[i] = Duration.ofNanos(Math.round(boundaries[i] * 1e9));
    }
    return d;
  }

  private AtomicInteger active(String transport) {
    return active.computeIfAbsent(
        transport,
        t -> {
          AtomicInteger value = new AtomicInteger();
          Gauge.builder("signalr.server.active_connections", value, AtomicInteger::get)
              .description("Number of connections that are currently active on the server.")
              .baseUnit("connections")
              .tag("signalr.transport", t)
              .register(registry);
          return value;
        });
  }

  @Override
  public void connected(String hubPath, String connectionId, String transport, String protocol) {
    active(otelTransport(transport)).incrementAndGet();
  }

  @Override
  public void disconnected(String hubPath, String connectionId, String transport, String protocol) {
    active(otelTransport(transport)).decrementAndGet();
  }

  @Override
  public void connectionEnded(ConnectionEnded ended) {
    String transport = otelTransport(ended.transport());
    durations
        .computeIfAbsent(
            transport + '\0' + ended.status(),
            k ->
                Timer.builder("signalr.server.connection.duration")
                    .description("The duration of connections on the server.")
                    .tag("signalr.transport", transport)
                    .tag("signalr.connection.status", ended.status())
                    .serviceLevelObjectives(seconds(CONNECTION_DURATION_BUCKETS))
                    .register(registry))
        .record(ended.duration());
  }

  private Counter messages(
      Map<String, Map<String, Counter>> byHub,
      String name,
      String description,
      String hubPath,
      String protocol) {
    return byHub
        .computeIfAbsent(hubPath, h -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            protocol,
            p ->
                Counter.builder(name)
                    .description(description)
                    .tag("hub", hubPath)
                    .tag("protocol", p)
                    .register(registry));
  }

  @Override
  public void messageReceived(String hubPath, String protocol) {
    messages(
            received,
            "jvmchat.hub.messages.received",
            "Hub messages received from clients",
            hubPath,
            protocol)
        .increment();
  }

  /** Called about once a second with the count since the last call (not per message). */
  @Override
  public void messagesSent(String hubPath, String protocol, long count) {
    messages(
            sent,
            "jvmchat.hub.messages.sent",
            "Hub messages handed to transports",
            hubPath,
            protocol)
        .increment(count);
  }

  @Override
  public void messageSent(String hubPath, String protocol) {
    messagesSent(hubPath, protocol, 1);
  }

  @Override
  public void invocationCompleted(String hubPath, String method, long nanos, boolean failed) {
    String outcome = failed ? "error" : "success";
    invocations
        .computeIfAbsent(
            hubPath + '\0' + method + '\0' + outcome,
            k ->
                Timer.builder("jvmchat.hub.invocation.duration")
                    .description("Hub method invocations, from dispatch to completion")
                    .tag("hub", hubPath)
                    .tag("method", method)
                    .tag("outcome", outcome)
                    .serviceLevelObjectives(seconds(INVOCATION_BUCKETS))
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void outboundQueueSampled(String hubPath, long queuedBytes) {
    queueDepths
        .computeIfAbsent(
            hubPath,
            h ->
                DistributionSummary.builder("jvmchat.hub.outbound.queue.depth")
                    .description(
                        "Bytes waiting in a connection's outbound queue, sampled once a second per"
                            + " connection")
                    .baseUnit("bytes")
                    .tag("hub", h)
                    .serviceLevelObjectives(QUEUE_BUCKETS)
                    .register(registry))
        .record(queuedBytes);
  }
}
