package org.jvmchat.server.ops;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubInvocationContext;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.slf4j.MDC;

/**
 * OpenTelemetry tracing, on only when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set: spans go over
 * OTLP/HTTP (protobuf) to {@code <endpoint>/v1/traces} (or {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} as given), named by {@code OTEL_SERVICE_NAME} (default {@code
 * chat-server}), batched every {@code OTEL_BSP_SCHEDULE_DELAY} ms (default 5000).
 *
 * <ul>
 *   <li>One SERVER span per hub invocation, as ASP.NET Core 9's {@code
 *       Microsoft.AspNetCore.SignalR.Server} activity: named {@code <Hub>/<Method>} ({@code
 *       ChatHub/SendMessage}), attributes {@code rpc.system=signalr}, {@code rpc.service}, {@code
 *       rpc.method}, {@code signalr.hub.path}; its parent is the W3C {@code traceparent} (and
 *       {@code tracestate}) in the invocation message's headers, where the .NET client since
 *       ASP.NET Core 9 puts them, else none (not the long-lived connection). A failure (a {@link
 *       org.jvmchat.protocol.HubException}, a rate-limit refusal) sets the span's status to error.
 *   <li>One SERVER span per plain HTTP route (REST API, dev-token, health, metrics, static files):
 *       {@code <METHOD> <route pattern>}, {@code http.request.method}, {@code http.route}, {@code
 *       http.response.status_code}, parent from the request's {@code traceparent} header.
 * </ul>
 *
 * While a span is current, {@code traceId} and {@code spanId} are in the MDC, so JSON log lines
 * carry them.
 */
public final class Tracing implements HubFilter, HubServer.RouteInterceptor, AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<String> HUB_PATH = AttributeKey.stringKey("signalr.hub.path");
  private static final AttributeKey<String> HTTP_METHOD =
      AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> HTTP_STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private static final TextMapGetter<Map<String, String>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          if (carrier == null) {
            return null;
          }
          String v = carrier.get(key);
          return v != null ? v : carrier.get(key.toLowerCase(Locale.ROOT));
        }
      };

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;
  private final W3CTraceContextPropagator propagator = W3CTraceContextPropagator.getInstance();

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.tracer = sdk.getTracer("org.jvmchat.server");
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

  // ------------------------------------------------------------------ hub invocations

  @Override
  public Object invoke(HubInvocationContext invocation, Next next) throws Exception {
    String service = invocation.hub().getClass().getSimpleName();
    Context parent = propagator.extract(Context.root(), invocation.headers(), MAP_GETTER);
    Span span =
        tracer
            .spanBuilder(service + "/" + invocation.methodName())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(RPC_SYSTEM, "signalr")
            .setAttribute(RPC_SERVICE, service)
            .setAttribute(RPC_METHOD, invocation.methodName())
            .setAttribute(HUB_PATH, invocation.hubPath())
            .startSpan();
    Object result;
    try (Scope scope = span.makeCurrent();
        MdcScope mdc = MdcScope.of(span)) {
      result = next.invoke(invocation);
    } catch (Exception | Error e) {
      fail(span, e);
      span.end();
      throw e;
    }
    if (result instanceof CompletionStage<?> stage) {
      stage.whenComplete(
          (v, e) -> {
            if (e != null) {
              fail(span, e);
            }
            span.end();
          });
    } else {
      span.end();
    }
    return result;
  }

  private static void fail(Span span, Throwable e) {
    Throwable t =
        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause()
            : e;
    span.setStatus(StatusCode.ERROR, t.getMessage() == null ? "" : t.getMessage());
    span.setAttribute(ERROR_TYPE, t.getClass().getName());
  }

  // ------------------------------------------------------------------ HTTP routes

  @Override
  public HttpResponse intercept(HubServer.Route route, HttpRequest request, HttpHandler next)
      throws Exception {
    Context parent = propagator.extract(Context.root(), flatHeaders(request), MAP_GETTER);
    Span span =
        tracer
            .spanBuilder(route.method() + " " + route.pattern())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(HTTP_METHOD, request.method())
            .setAttribute(HTTP_ROUTE, route.pattern())
            .startSpan();
    try (Scope scope = span.makeCurrent();
        MdcScope mdc = MdcScope.of(span)) {
      HttpResponse response = next.handle(request);
      span.setAttribute(HTTP_STATUS, (long) response.status());
      if (response.status() >= 500) {
        span.setStatus(StatusCode.ERROR);
        span.setAttribute(ERROR_TYPE, Integer.toString(response.status()));
      }
      return response;
    } catch (Exception | Error e) {
      fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  private static Map<String, String> flatHeaders(HttpRequest request) {
    String traceparent = request.header("traceparent");
    if (traceparent == null) {
      return Map.of();
    }
    String tracestate = request.header("tracestate");
    return tracestate == null
        ? Map.of("traceparent", traceparent)
        : Map.of("traceparent", traceparent, "tracestate", tracestate);
  }

  /** Puts the span's ids into the MDC and takes them out again. */
  private record MdcScope(String previousTrace, String previousSpan) implements AutoCloseable {
    static MdcScope of(Span span) {
      MdcScope scope = new MdcScope(MDC.get("traceId"), MDC.get("spanId"));
      MDC.put("traceId", span.getSpanContext().getTraceId());
      MDC.put("spanId", span.getSpanContext().getSpanId());
      return scope;
    }

    @Override
    public void close() {
      restore("traceId", previousTrace);
      restore("spanId", previousSpan);
    }

    private static void restore(String key, String value) {
      if (value == null) {
        MDC.remove(key);
      } else {
        MDC.put(key, value);
      }
    }
  }

  /** Exports what is buffered and stops. */
  @Override
  public void close() {
    sdk.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
    sdk.close();
  }
}
