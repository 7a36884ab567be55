/**
 * The HTTP side of the hub server, one class per job: {@link
 * org.jvmchat.hub.internal.http.HubChannelInitializer} builds each channel's pipeline, {@link
 * org.jvmchat.hub.internal.http.HttpRouter} sends a request to a hub endpoint, a plain route or a
 * CORS preflight, {@link org.jvmchat.hub.internal.http.HubAuthentication} authenticates hub
 * requests off the event loop, {@link org.jvmchat.hub.internal.http.Negotiation} answers {@code
 * /negotiate}, {@link org.jvmchat.hub.internal.http.ConnectionDispatcher} serves GET (WebSocket
 * upgrade, SSE, long poll), POST (send) and DELETE on an existing connection, {@link
 * org.jvmchat.hub.internal.http.PlainRoutes} runs the application's routes. Internal: may change at
 * any time.
 */
package org.jvmchat.hub.internal.http;
