package org.jvmchat.examples.tour;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the feature tour hub at {@code /hubs/tour} on {@code PORT} (default 8080; 0 picks a free
 * port). Environment: {@code TOUR_KEEPALIVE_MS}, {@code TOUR_CLIENT_TIMEOUT_MS} (defaults 15 s and
 * 30 s) to exercise keep-alive quickly; {@code TOUR_DISCONNECT_TIMEOUT_MS} (15 s) and {@code
 * TOUR_STATEFUL_BUFFER_BYTES} (100,000) for the connection-lifetime tests; {@code
 * TOUR_STATEFUL_RECONNECT=false} disables stateful reconnect; {@code TOUR_TRANSPORTS} limits
 * transports (e.g. {@code ServerSentEvents,LongPolling}); {@code TOUR_CLIENT_RESULT_TIMEOUT_MS},
 * {@code TOUR_MAX_QUEUED_INVOCATIONS}, {@code TOUR_MAX_QUEUED_INVOCATION_BYTES} and {@code
 * TOUR_OUTBOUND_BUFFER_LIMIT} (bytes) for the abuse tests.
 */
public final class FeatureTour {
  private static final Logger log = LoggerFactory.getLogger(FeatureTour.class);

  private FeatureTour() {}

  public static HubServer start(int port, HubOptions options) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tour-counter");
              t.setDaemon(true);
              return t;
            });
    return HubServer.builder()
        .port(port)
        .corsOrigins(Set.of("*"))
        .hub("/hubs/tour", () -> new TourHub(scheduler), options)
        .build()
        .start();
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(env("PORT", "8080"));
    HubOptions.Builder options =
        HubOptions.builder()
            .allowStatefulReconnects(!"false".equals(env("TOUR_STATEFUL_RECONNECT", "true")))
            .keepAliveInterval(Duration.ofMillis(Long.parseLong(env("TOUR_KEEPALIVE_MS", "15000"))))
            .clientTimeout(
                Duration.ofMillis(Long.parseLong(env("TOUR_CLIENT_TIMEOUT_MS", "30000"))))
            .disconnectTimeout(
                Duration.ofMillis(Long.parseLong(env("TOUR_DISCONNECT_TIMEOUT_MS", "15000"))))
            .statefulReconnectBufferSize(
                Long.parseLong(env("TOUR_STATEFUL_BUFFER_BYTES", "100000")))
            .clientResultTimeout(
                Duration.ofMillis(Long.parseLong(env("TOUR_CLIENT_RESULT_TIMEOUT_MS", "30000"))))
            .maxQueuedInvocations(
                Integer.parseInt(
                    env(
                        "TOUR_MAX_QUEUED_INVOCATIONS",
                        String.valueOf(HubOptions.DEFAULT_MAX_QUEUED_INVOCATIONS))))
            .maxQueuedInvocationBytes(
                Integer.parseInt(
                    env(
                        "TOUR_MAX_QUEUED_INVOCATION_BYTES",
                        String.valueOf(HubOptions.DEFAULT_MAX_QUEUED_INVOCATION_BYTES))));
    String outboundLimit = System.getenv("TOUR_OUTBOUND_BUFFER_LIMIT");
    if (outboundLimit != null && !outboundLimit.isBlank()) {
      options.outboundBufferLimit(Integer.parseInt(outboundLimit.trim()));
    }
    String transports = System.getenv("TOUR_TRANSPORTS");
    if (transports != null && !transports.isBlank()) {
      java.util.EnumSet<org.jvmchat.protocol.negotiate.HttpTransportType> set =
          java.util.EnumSet.noneOf(org.jvmchat.protocol.negotiate.HttpTransportType.class);
      for (String t : transports.split(",")) {
        set.add(org.jvmchat.protocol.negotiate.HttpTransportType.valueOf(t.trim()));
      }
      options.transports(set);
    }
    HubServer server = start(port, options.build());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(5))));
    log.info("Feature tour listening on http://localhost:{}/hubs/tour", server.port());
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
