package org.jvmchat.server.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.server.api.RestJson;

/**
 * {@code /health}, {@code /health/live}, {@code /health/ready} and {@code /metrics}; no token. With
 * {@code MANAGEMENT_PORT} the {@link ManagementServer} serves all four and the main port health
 * only.
 */
public final class OpsRoutes {
  /** The detail of each status when details are hidden (HEALTH_DETAILS=false, Production). */
  private static final Map<HealthService.Status, String> HIDDEN =
      Map.of(
          HealthService.Status.HEALTHY, "ok",
          HealthService.Status.UNHEALTHY, "unavailable",
          HealthService.Status.DISABLED, "disabled");

  private final HealthService health;
  private final ChatMetrics metrics;
  private final boolean details;

  public OpsRoutes(HealthService health, ChatMetrics metrics) {
    this(health, metrics, true);
  }

  /**
   * @param details whether {@code /health} shows each entry's detail (addresses, directories, the
   *     assistant's model); without, every detail is the same short word for its status
   */
  public OpsRoutes(HealthService health, ChatMetrics metrics, boolean details) {
    this.health = health;
    this.metrics = metrics;
    this.details = details;
  }

  /** Registers health and {@code /metrics} on the main port. */
  public void register(HubServer.Builder server) {
    register(server, true);
  }

  /**
   * Registers health, and {@code /metrics} when {@code withMetrics} (false when a management port
   * serves it: then the main port answers 404 there, like any unknown path).
   */
  public void register(HubServer.Builder server, boolean withMetrics) {
    routes(withMetrics).forEach((path, handler) -> server.route("GET", path, handler));
  }

  /** The GET routes by path: health always, {@code /metrics} when {@code withMetrics}. */
  public Map<String, HttpHandler> routes(boolean withMetrics) {
    Map<String, HttpHandler> routes = new LinkedHashMap<>();
    routes.put("/health", r -> report(health.check()));
    routes.put(
        "/health/live",
        r -> RestJson.ok(200, Map.of("status", "live")).withHeader("cache-control", "no-store"));
    routes.put(
        "/health/ready",
        r -> {
          if (health.isShuttingDown()) {
            return RestJson.ok(503, Map.of("status", "shutting down"))
                .withHeader("cache-control", "no-store");
          }
          return report(health.readiness());
        });
    if (withMetrics) {
      routes.put(
          "/metrics",
          r ->
              HttpResponse.of(
                  200,
                  "text/plain; version=0.0.4; charset=utf-8",
                  metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return routes;
  }

  private HttpResponse report(HealthService.Report report) {
    Map<String, Object> entries = new LinkedHashMap<>();
    report
        .entries()
        .forEach(
            (name, e) -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("status", e.status().wire());
              entry.put("detail", details ? e.detail() : HIDDEN.get(e.status()));
              entry.put("durationMs", e.durationMs());
              entries.put(name, entry);
            });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", report.healthy() ? "healthy" : "unhealthy");
    body.put("entries", entries);
    return RestJson.ok(report.healthy() ? 200 : 503, body).withHeader("cache-control", "no-store");
  }
}
