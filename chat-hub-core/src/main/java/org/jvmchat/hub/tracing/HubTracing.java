package org.jvmchat.hub.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubInvocationContext;
import org.jvmchat.hub.HubRequestObserver;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.http.HttpRoute;
import org.jvmchat.hub.http.HttpRouteInterceptor;
import org.slf4j.MDC;

/**
 * OpenTelemetry tracing of a {@link HubServer}, as ASP.NET Core traces SignalR: register it with
 * {@link #register(HubServer.Builder)} and every span goes to the {@link OpenTelemetry} given (an
 * SDK with an exporter, or {@code GlobalOpenTelemetry} under the Java agent). Needs {@code
 * io.opentelemetry:opentelemetry-api} on the class path (an optional dependency of this library).
 *
 * <ul>
 *   <li><b>A SERVER span per hub invocation</b>, as ASP.NET Core 9's {@code
 *       Microsoft.AspNetCore.SignalR.Server} activity: {@code <Hub>/<Method>} ({@code
 *       ChatHub/SendMessage}), attributes {@code rpc.system=signalr}, {@code rpc.service}, {@code
 *       rpc.method}, {@code signalr.hub.path}; its parent is the W3C {@code traceparent} (and
 *       {@code tracestate}) of the invocation message's headers, where the .NET client since
 *       ASP.NET Core 9 puts them, else none. A failure sets the status to error with {@code
 *       error.type}.
 *   <li><b>A SERVER span per hub request</b>, as ASP.NET Core's hosting activity per HTTP request:
 *       {@code POST <hub>/negotiate}, and {@code GET <hub>} (a WebSocket upgrade, a Server-Sent
 *       Events stream, a long poll), {@code POST <hub>} (a send), {@code DELETE <hub>}; attributes
 *       {@code http.request.method}, {@code http.route}, {@code http.response.status_code}, and
 *       {@code signalr.transport} ({@code web_sockets}, {@code server_sent_events}, {@code
 *       long_polling}) on the transports' {@code GET}s. A WebSocket's and an SSE stream's span
 *       lasts as long as the connection, as the request does. Parent: the request's {@code
 *       traceparent} header.
 *   <li><b>A SERVER span per plain route</b>: {@code <METHOD> <route pattern>}, the same HTTP
 *       attributes.
 * </ul>
 *
 * <p>While an invocation's or a route's span is current, {@code traceId} and {@code spanId} are in
 * the SLF4J MDC, so log lines written inside carry them. Without tracing, register nothing: the
 * server then tracks no request at all.
 */
public final class HubTracing implements HubFilter, HttpRouteInterceptor, HubRequestObserver {
  /** The instrumentation scope of the spans. */
  public static final String INSTRUMENTATION_NAME = "org.jvmchat.hub";

  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<String> HUB_PATH = AttributeKey.stringKey("signalr.hub.path");
  private static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("signalr.transport");
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

  private static final TextMapGetter<HttpRequest> HTTP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpRequest carrier) {
          return java.util.List.of("traceparent", "tracestate");
        }

        @Override
        public String get(HttpRequest carrier, String key) {
          return carrier == null ? null : carrier.header(key);
        }
      };

  private static final TextMapGetter<Request> HUB_REQUEST_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Request carrier) {
          return java.util.List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Request carrier, String key) {
          return carrier == null ? null : carrier.header(key);
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private HubTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.propagator = W3CTraceContextPropagator.getInstance();
  }

  /**
   * Tracing through {@code openTelemetry}'s tracer provider; trace context is read as W3C {@code
   * traceparent}/{@code tracestate}, as ASP.NET Core reads it, whatever propagators it has.
   */
  public static HubTracing create(OpenTelemetry openTelemetry) {
    return new HubTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /**
   * Adds this to {@code builder} as a server-wide {@linkplain HubServer.Builder#filter filter} (the
   * outermost when added first, so that other filters' refusals are inside the invocation's span),
   * a {@linkplain HubServer.Builder#routeInterceptor route interceptor} and a {@linkplain
   * HubServer.Builder#requestObserver request observer}.
   */
  public HubServer.Builder register(HubServer.Builder builder) {
    return builder.filter(this).routeInterceptor(this).requestObserver(this);
  }

  // ------------------------------------------------------------------ hub invocations

  /**
   * Starting and ending a span is CPU work: {@code @NonBlocking} methods stay on the I/O thread.
   */
  @Override
  public boolean nonBlocking() {
    return true;
  }

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
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    span.setStatus(StatusCode.ERROR, t.getMessage() == null ? "" : t.getMessage());
    span.setAttribute(ERROR_TYPE, t.getClass().getName());
  }

  // ------------------------------------------------------------------ hub requests

  @Override
  public Observation started(Request request) {
    Context parent = propagator.extract(Context.root(), request, HUB_REQUEST_GETTER);
    io.opentelemetry.api.trace.SpanBuilder builder =
        tracer
            .spanBuilder(request.method() + " " + request.route())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(HTTP_METHOD, request.method())
            .setAttribute(HTTP_ROUTE, request.route())
            .setAttribute(HUB_PATH, request.hubPath());
    String transport =
        switch (request.kind()) {
          case WEB_SOCKETS -> "web_sockets";
          case SERVER_SENT_EVENTS -> "server_sent_events";
          case LONG_POLLING -> "long_polling";
          default -> null;
        };
    if (transport != null) {
      builder.setAttribute(TRANSPORT, transport);
    }
    Span span = builder.startSpan();
    return status -> {
      if (status > 0) {
        span.setAttribute(HTTP_STATUS, (long) status);
        serverError(span, status);
      }
      span.end();
    };
  }

  private static void serverError(Span span, int status) {
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
      span.setAttribute(ERROR_TYPE, Integer.toString(status));
    }
  }

  // ------------------------------------------------------------------ plain routes

  @Override
  public HttpResponse intercept(HttpRoute route, HttpRequest request, HttpHandler next)
      throws Exception {
    Context parent = propagator.extract(Context.root(), request, HTTP_GETTER);
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
      serverError(span, response.status());
      return response;
    } catch (Exception | Error e) {
      fail(span, e);
      throw e;
    } finally {
      span.end();
    }
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
}
