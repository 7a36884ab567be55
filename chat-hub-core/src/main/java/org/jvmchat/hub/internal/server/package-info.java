/**
 * The Netty host (internal; may change at any time): {@link
 * org.jvmchat.hub.internal.server.NettyHubServer} binds the port, runs the event loops and stops;
 * the rest is its HTTP front, one class per job: {@link
 * org.jvmchat.hub.internal.server.HubChannelInitializer} builds each channel's pipeline, {@link
 * org.jvmchat.hub.internal.server.HttpRouter} sends a request to a hub endpoint, a plain route or a
 * CORS preflight, {@link org.jvmchat.hub.internal.server.HubAuthentication} authenticates hub
 * requests off the event loop, {@link org.jvmchat.hub.internal.server.Negotiation} answers {@code
 * /negotiate}, {@link org.jvmchat.hub.internal.server.NettyConnectionLayer} serves GET (WebSocket
 * upgrade, SSE, long poll), POST (send) and DELETE on an existing connection with the transports of
 * {@code internal.transport}, {@link org.jvmchat.hub.internal.server.PlainRoutes} runs the
 * application's routes.
 *
 * <p>The top layer: may depend on every other internal package but {@code internal.scaleout};
 * nothing internal depends on it (only {@code HubServer.builder()} creates it).
 */
package org.jvmchat.hub.internal.server;
