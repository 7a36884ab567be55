package org.jvmchat.server.ops;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.tracing.HubTracing;

/**
 * OpenTelemetry tracing, on only when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set: spans go over
 * OTLP/HTTP (protobuf) to {@code <endpoint>/v1/traces} (or {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} as given), named by {@code OTEL_SERVICE_NAME} (default {@code
 * chat-server}), batched every {@code OTEL_BSP_SCHEDULE_DELAY} ms (default 5000).
 *
 * <p>The spans themselves come from the hub library's {@link HubTracing} (one per hub invocation,
 * per hub request — negotiate and every transport request — and per plain route); this class only
 * builds the SDK and its exporter from the standard variables.
 */
public final class Tracing implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final OpenTelemetrySdk sdk;
  private final HubTracing hubTracing;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.hubTracing = HubTracing.create(sdk);
  }

  /**
   * Tracing from the standard variables, or null when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is unset.
   */
  public static Tracing fromEnvironment(Map<String, String> env) {
    String base = blankToNull(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
    String traces = blankToNull(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    if (base == null && traces == null) {
      return null;
    }
    String endpoint =
        traces != null ? traces : (base.endsWith("/") ? base : base + "/") + "v1/traces";
    String service = blankToNull(env.get("OTEL_SERVICE_NAME"));
    long delayMs = 5000;
    String delay = blankToNull(env.get("OTEL_BSP_SCHEDULE_DELAY"));
    if (delay != null) {
      try {
        delayMs = Math.max(1, Long.parseLong(delay));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "OTEL_BSP_SCHEDULE_DELAY must be milliseconds, was '" + delay + "'");
      }
    }
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint)
            .setTimeout(Duration.ofSeconds(10))
            .build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(
                                SERVICE_NAME, service != null ? service : "chat-server"))))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setScheduleDelay(delayMs, TimeUnit.MILLISECONDS)
                    .setMaxQueueSize(8192)
                    .build())
            .build();
    return new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /**
   * Traces {@code builder}'s hubs, hub requests and routes (see {@link HubTracing#register}); call
   * it before other filters are added, so that their refusals are inside the invocation's span.
   */
  public HubServer.Builder register(HubServer.Builder builder) {
    return hubTracing.register(builder);
  }

  /** Exports what is buffered and stops. */
  @Override
  public void close() {
    sdk.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
    sdk.close();
  }
}
