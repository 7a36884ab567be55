/**
 * The seam between the connection layer and an HTTP host (internal; may change at any time).
 *
 * <p>Negotiate, the connection tokens, the {@link org.jvmchat.hub.internal.hub.ServerConnection}
 * that outlives requests (long polling, stateful reconnect), its outbound queue and invocation
 * bound are host-agnostic. What a host must provide is small: a request ({@link HostRequest}:
 * method, path, query, headers, remote address, body), an asynchronous response ({@link
 * HostResponse}: a whole answer, or a stream that is written, flushed and completed, with
 * back-pressure) and a WebSocket ({@link HostWebSocket}: send a text or binary message, close with
 * a status, pause and resume reading; the host calls the {@link HostWebSocket.Listener} back).
 * {@link ConnectionLayer} is SIGNALR.md §1.2 and §1.3 over those interfaces, with the transports of
 * this package.
 *
 * <p>The Netty host keeps its own front ({@code internal.server}) and transports ({@code
 * internal.transport}), which frame a drain straight into pooled direct buffers on the channel's
 * event loop; it shares the same runtime, endpoints, connections and negotiate rules ({@link
 * Negotiate}).
 *
 * <p>May depend on {@code internal.hub}, {@code internal.connection}, {@code internal.transport},
 * the SPI and the public API; only the Servlet host (chat-hub-servlet) and the Netty host use it.
 */
package org.jvmchat.hub.internal.host;
