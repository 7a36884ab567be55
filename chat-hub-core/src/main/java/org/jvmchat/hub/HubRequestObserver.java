package org.jvmchat.hub;

import org.jvmchat.hub.http.HttpRouteInterceptor;

/**
 * Observes every HTTP request of a hub endpoint from its arrival to its end: {@code POST
 * <hub>/negotiate} and each transport request (a WebSocket upgrade, a Server-Sent Events stream, a
 * long poll, a send, a {@code DELETE}), as ASP.NET Core's hosting layer starts one activity per
 * request. The hook of request tracing ({@link org.jvmchat.hub.tracing.HubTracing} implements it
 * with OpenTelemetry) and of anything else that wants to time hub requests. Plain routes have their
 * own hook ({@link HttpRouteInterceptor}).
 *
 * <p>Host-neutral: no server types appear. Added with {@link
 * HubServer.Builder#requestObserver(HubRequestObserver)}; without one nothing is tracked (no cost).
 * Both methods are called on the I/O thread of the request's connection: they must not block.
 */
@FunctionalInterface
public interface HubRequestObserver {

  /**
   * A hub request arrived (before authentication).
   *
   * @return its observation, ended once when the request ends; or null not to observe it
   */
  Observation started(Request request);

  /** One observed request. */
  @FunctionalInterface
  interface Observation {
    /**
     * The request ended. A negotiate, send, {@code DELETE} or long poll ends when its response was
     * written; a WebSocket ({@code status} 101) and a Server-Sent Events stream (200) end when the
     * socket or stream closes, which is when the connection ends, as in ASP.NET Core.
     *
     * @param status the response's status code, or 0 when the socket closed before a response
     */
    void ended(int status);
  }

  /** What a hub request is, from its method, path and headers. */
  enum Kind {
    /** {@code POST <hub>/negotiate}. */
    NEGOTIATE,
    /** {@code GET <hub>} with {@code Upgrade: websocket}. */
    WEB_SOCKETS,
    /** {@code GET <hub>} accepting {@code text/event-stream}. */
    SERVER_SENT_EVENTS,
    /** Any other {@code GET <hub>}: a long poll. */
    LONG_POLLING,
    /** {@code POST <hub>}: messages sent over Server-Sent Events or long polling. */
    SEND,
    /** {@code DELETE <hub>}: a long-polling client stops. */
    CLOSE,
    /** Another method on a hub path (answered 405). */
    OTHER
  }

  /** A hub request as observed. */
  interface Request {
    /** The hub's path, e.g. {@code /hubs/chat}. */
    String hubPath();

    /** The HTTP method. */
    String method();

    /** The route: the hub path, or the hub path and {@code /negotiate}. */
    String route();

    Kind kind();

    /** The first value of a request header (case-insensitive), or null. */
    String header(String name);
  }
}
