package org.jvmchat.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.hub.ConnectionEnded;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.metrics.MicrometerHubMetrics;

/**
 * The server's meters, fed by the hub core's {@link ConnectionListener} events and by the chat hub,
 * scraped as Prometheus text at {@code /metrics}:
 *
 * <ul>
 *   <li>the hub library's meters ({@link MicrometerHubMetrics}, the same as the Spring Boot
 *       starter's): {@code signalr_server_active_connections{signalr_transport}} and {@code
 *       signalr_server_connection_duration_seconds{signalr_transport, signalr_connection_status}}
 *       under OpenTelemetry's semantic conventions for SignalR, as ASP.NET Core 8+ emits them;
 *       {@code jvmchat_hub_invocation_duration_seconds{hub,method,outcome}}, {@code
 *       jvmchat_hub_messages_received_total} / {@code
 *       jvmchat_hub_messages_sent_total{hub,protocol}} and {@code
 *       jvmchat_hub_outbound_queue_depth_bytes{hub}}
 *   <li>of this server: {@code jvmchat_limits_rejected_total{limit}} (refusals by the abuse
 *       limits), {@code jvmchat_store_commit_*}, {@code
 *       jvmchat_backplane_publish_duration_seconds}, the hub executor's {@code executor_*}, JVM
 *       memory, GC, threads, class loading, CPU and uptime
 * </ul>
 *
 * <p>Deprecated, kept for one release (use the names above; removed in the next one):
 *
 * <ul>
 *   <li>{@code signalr_connections{hub,transport,protocol}} (gauge): open connections
 *   <li>{@code signalr_connections_opened_total{hub,transport,protocol}}: connections ever opened
 *   <li>{@code signalr_messages_received_total{hub,protocol}} / {@code
 *       signalr_messages_sent_total{hub,protocol}}: hub messages in and out
 *   <li>{@code signalr_invocations_seconds{hub,method,outcome}} (timer): hub method latency
 *   <li>{@code signalr_invocation_errors_total{hub,method}}: invocations that failed
 *   <li>{@code chat_messages_stored_total}: chat messages stored and broadcast
 * </ul>
 *
 * Thread-safe; every callback is a few atomic operations, so it can run on an I/O thread.
 */
public final class ChatMetrics
    implements ConnectionListener, org.jvmchat.persistence.StoreObserver, AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final MicrometerHubMetrics hub;
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter chatMessages;
  private final JvmGcMetrics gcMetrics;

  public ChatMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.hub = new MicrometerHubMetrics(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.chatMessages =
        Counter.builder("chat.messages.stored")
            .description("Chat messages stored and sent to their room")
            .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** A chat message was stored and broadcast. */
  public void chatMessageStored() {
    chatMessages.increment();
  }

  private AtomicInteger connectionGauge(String hub, String transport, String protocol) {
    return connections.computeIfAbsent(
        hub + '\0' + transport + '\0' + protocol,
        k -> {
          AtomicInteger value = new AtomicInteger();
          Gauge.builder("signalr.connections", value, AtomicInteger::get)
              .description("Open hub connections")
              .tag("hub", hub)
              .tag("transport", transport)
              .tag("protocol", protocol)
              .register(registry);
          return value;
        });
  }

  private Counter counter(String name, String description, String... tags) {
    return counters.computeIfAbsent(
        name + '\0' + String.join("\0", tags),
        k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  private static final double[] COMMIT_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
  };
  private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

  private final Map<String, Timer> commitTimers = new ConcurrentHashMap<>();
  private io.micrometer.core.instrument.DistributionSummary batchSizes;
  private final Map<String, Timer> publishTimers = new ConcurrentHashMap<>();

  @Override
  public void appendBatchCommitted(int items, java.time.Duration duration, boolean failed) {
    String outcome = failed ? "error" : "success";
    commitTimers
        .computeIfAbsent(
            outcome,
            o ->
                Timer.builder("jvmchat.store.commit.duration")
                    .description(
                        "Group-commit transactions of message appends: statements plus durable"
                            + " commit")
                    .tag("outcome", o)
                    .serviceLevelObjectives(MicrometerHubMetrics.seconds(COMMIT_BUCKETS))
                    .register(registry))
        .record(duration);
    batchSizes().record(items);
  }

  private synchronized io.micrometer.core.instrument.DistributionSummary batchSizes() {
    if (batchSizes == null) {
      batchSizes =
          io.micrometer.core.instrument.DistributionSummary.builder(
                  "jvmchat.store.commit.batch.size")
              .description("Messages per group-commit transaction")
              .baseUnit("messages")
              .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
              .register(registry);
    }
    return batchSizes;
  }

  @Override
  public void connectionEnded(ConnectionEnded ended) {
    hub.connectionEnded(ended);
  }

  @Override
  public void outboundQueueSampled(String hubPath, long queuedBytes) {
    hub.outboundQueueSampled(hubPath, queuedBytes);
  }

  /** HikariCP binds its pool metrics ({@code hikaricp_connections_*}) to this registry. */
  @Override
  public Object poolMeterRegistry() {
    return registry;
  }

  /** One backplane publish took {@code nanos} until the backplane acknowledged it. */
  public void backplanePublished(long nanos, boolean failed) {
    String outcome = failed ? "error" : "success";
    publishTimers
        .computeIfAbsent(
            outcome,
            o ->
                Timer.builder("jvmchat.backplane.publish.duration")
                    .description("Backplane publishes, until the backplane acknowledged them")
                    .tag("outcome", o)
                    .serviceLevelObjectives(MicrometerHubMetrics.seconds(COMMIT_BUCKETS))
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The hub executor's pool and queue ({@code executor_*{name="hub"}}). */
  public java.util.concurrent.ExecutorService monitorExecutor(
      java.util.concurrent.ExecutorService executor, String name) {
    return io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics.monitor(
        registry, executor, name);
  }

  /** An abuse limit refused something ({@code limit}: connections, messages, negotiate, …). */
  public void limitRejected(String limit) {
    counter("jvmchat.limits.rejected", "Requests refused by an abuse limit", "limit", limit)
        .increment();
  }

  @Override
  public void connected(String hubPath, String connectionId, String transport, String protocol) {
    hub.connected(hubPath, connectionId, transport, protocol);
    connectionGauge(hubPath, transport, protocol).incrementAndGet();
    counter(
            "signalr.connections.opened",
            "Hub connections opened",
            "hub",
            hubPath,
            "transport",
            transport,
            "protocol",
            protocol)
        .increment();
  }

  @Override
  public void disconnected(String hubPath, String connectionId, String transport, String protocol) {
    hub.disconnected(hubPath, connectionId, transport, protocol);
    connectionGauge(hubPath, transport, protocol).decrementAndGet();
  }

  @Override
  public void messageReceived(String hubPath, String protocol) {
    hub.messageReceived(hubPath, protocol);
    counter(
            "signalr.messages.received",
            "Hub messages received from clients",
            "hub",
            hubPath,
            "protocol",
            protocol)
        .increment();
  }

  @Override
  public void messageSent(String hubPath, String protocol) {
    messagesSent(hubPath, protocol, 1);
  }

  /** Called about once a second with the count since the last call (not per message). */
  @Override
  public void messagesSent(String hubPath, String protocol, long count) {
    hub.messagesSent(hubPath, protocol, count);
    counter(
            "signalr.messages.sent",
            "Hub messages sent to clients",
            "hub",
            hubPath,
            "protocol",
            protocol)
        .increment(count);
  }

  @Override
  public void invocationCompleted(String hubPath, String method, long nanos, boolean failed) {
    String outcome = failed ? "error" : "success";
    hub.invocationCompleted(hubPath, method, nanos, failed);
    timers
        .computeIfAbsent(
            hubPath + '\0' + method + '\0' + outcome,
            k ->
                Timer.builder("signalr.invocations")
                    .description("Hub method invocation latency")
                    .tag("hub", hubPath)
                    .tag("method", method)
                    .tag("outcome", outcome)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
    if (failed) {
      counter(
              "signalr.invocation.errors",
              "Hub method invocations that failed",
              "hub",
              hubPath,
              "method",
              method)
          .increment();
    }
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
