package org.jvmchat.hub;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * One invocation as a filter sees it.
 *
 * @param hubPath the path the hub is mapped to, e.g. {@code /hubs/chat}
 * @param methodName the name the client called
 * @param method the Java method that will run
 * @param arguments the bound arguments (stream parameters included, as publishers)
 * @param headers the invocation message's headers (SIGNALR.md: {@code headers}), never null; the
 *     .NET client from ASP.NET Core 9 on puts W3C trace context here ({@code traceparent}, {@code
 *     tracestate})
 */
public record HubInvocationContext(
    HubCallerContext context,
    String hubPath,
    Hub hub,
    String methodName,
    Method method,
    List<Object> arguments,
    Map<String, String> headers) {

  public HubInvocationContext {
    headers = headers == null ? Map.of() : headers;
  }

  /** An invocation without headers. */
  public HubInvocationContext(
      HubCallerContext context,
      String hubPath,
      Hub hub,
      String methodName,
      Method method,
      List<Object> arguments) {
    this(context, hubPath, hub, methodName, method, arguments, Map.of());
  }
}
