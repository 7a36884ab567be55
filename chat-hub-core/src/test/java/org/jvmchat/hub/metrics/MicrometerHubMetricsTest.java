package org.jvmchat.hub.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.ConnectionEnded;

/** The meter names, tags and buckets chat-server's /metrics and the Spring Boot starter expose. */
class MicrometerHubMetricsTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerHubMetrics metrics = new MicrometerHubMetrics(registry);

  @Test
  void activeConnectionsPerOpenTelemetryTransport() {
    metrics.connected("/hubs/a", "c1", "WebSockets", "json");
    metrics.connected("/hubs/b", "c2", "WebSockets", "messagepack");
    metrics.connected("/hubs/a", "c3", "LongPolling", "json");
    metrics.disconnected("/hubs/a", "c3", "LongPolling", "json");
    metrics.connected("/hubs/a", "c4", "ServerSentEvents", "json");

    assertThat(active("web_sockets")).isEqualTo(2.0);
    assertThat(active("long_polling")).isEqualTo(0.0);
    assertThat(active("server_sent_events")).isEqualTo(1.0);
  }

  @Test
  void connectionDurationWithAspNetCoresBucketsPerTransportAndStatus() {
    metrics.connectionEnded(
        new ConnectionEnded(
            "/hubs/a",
            "c1",
            "LongPolling",
            "json",
            null,
            Duration.ofMillis(1500),
            ConnectionEnded.NORMAL_CLOSURE));

    Timer timer =
        registry
            .get("signalr.server.connection.duration")
            .tags(
                "signalr.transport", "long_polling", "signalr.connection.status", "normal_closure")
            .timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(bucketSeconds(timer))
        .containsExactly(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300);
  }

  @Test
  void invocationsByHubMethodAndOutcome() {
    metrics.invocationCompleted("/hubs/a", "Send", 2_000_000, false);
    metrics.invocationCompleted("/hubs/a", "Send", 3_000_000, true);
    metrics.invocationCompleted("/hubs/a", "Send", 4_000_000, false);

    Timer success =
        registry
            .get("jvmchat.hub.invocation.duration")
            .tags("hub", "/hubs/a", "method", "Send", "outcome", "success")
            .timer();
    assertThat(success.count()).isEqualTo(2);
    assertThat(bucketSeconds(success))
        .containsExactly(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    assertThat(
            registry
                .get("jvmchat.hub.invocation.duration")
                .tags("hub", "/hubs/a", "method", "Send", "outcome", "error")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void messagesByHubAndProtocol() {
    metrics.messageReceived("/hubs/a", "json");
    metrics.messageReceived("/hubs/a", "json");
    metrics.messageReceived("/hubs/a", "messagepack");
    metrics.messagesSent("/hubs/a", "json", 40);
    metrics.messageSent("/hubs/a", "json");

    assertThat(counter("jvmchat.hub.messages.received", "json")).isEqualTo(2.0);
    assertThat(counter("jvmchat.hub.messages.received", "messagepack")).isEqualTo(1.0);
    assertThat(counter("jvmchat.hub.messages.sent", "json")).isEqualTo(41.0);
  }

  @Test
  void outboundQueueDepthInBytesPerHub() {
    metrics.outboundQueueSampled("/hubs/a", 0);
    metrics.outboundQueueSampled("/hubs/a", 2048);

    var summary = registry.get("jvmchat.hub.outbound.queue.depth").tag("hub", "/hubs/a").summary();
    assertThat(summary.count()).isEqualTo(2);
    assertThat(summary.totalAmount()).isEqualTo(2048.0);
    assertThat(summary.getId().getBaseUnit()).isEqualTo("bytes");
  }

  private double active(String transport) {
    return registry
        .get("signalr.server.active_connections")
        .tag("signalr.transport", transport)
        .gauge()
        .value();
  }

  private double counter(String name, String protocol) {
    return registry.get(name).tags("hub", "/hubs/a", "protocol", protocol).counter().count();
  }

  private static double[] bucketSeconds(Timer timer) {
    return Arrays.stream(timer.takeSnapshot().histogramCounts())
        .mapToDouble(CountAtBucket::bucket)
        .map(nanos -> nanos / 1e9)
        .toArray();
  }
}
