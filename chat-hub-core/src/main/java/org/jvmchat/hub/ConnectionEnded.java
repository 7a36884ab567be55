package org.jvmchat.hub;

import java.time.Duration;

/**
 * How a hub connection ended.
 *
 * @param transport {@code WebSockets}, {@code ServerSentEvents} or {@code LongPolling}
 * @param user the connection's user, or null when anonymous
 * @param duration from the connection's creation (negotiate) to its end
 * @param status as OpenTelemetry's {@code signalr.connection.status}: {@code normal_closure},
 *     {@code timeout} (the client or the disconnect timeout elapsed) or {@code app_shutdown}
 */
public record ConnectionEnded(
    String hubPath,
    String connectionId,
    String transport,
    String protocol,
    HubUser user,
    Duration duration,
    String status) {
  public static final String NORMAL_CLOSURE = "normal_closure";
  public static final String TIMEOUT = "timeout";
  public static final String APP_SHUTDOWN = "app_shutdown";
}
