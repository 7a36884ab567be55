/**
 * The hub layer (internal; may change at any time): one connection and what a hub does with it.
 *
 * <ul>
 *   <li>{@link org.jvmchat.hub.internal.hub.ServerConnection}: one connection at the transport
 *       level (ASP.NET Core's {@code HttpConnectionContext}), independent of the transport carrying
 *       it; keeps only its transport, its outbound queue, its state and the transport-level
 *       timeouts, and hands bytes to its {@code ConnectionApplication};
 *   <li>{@link org.jvmchat.hub.internal.hub.HubConnectionHandler}: one per hub, bound to each
 *       connection; the handshake, {@code onConnected}, parsing and routing ({@code MessageRouter})
 *       to the dispatcher, the upload streams or the lifetime manager, and {@code onDisconnected};
 *   <li>{@code DefaultHubConnectionContext}: the hub's state of one connection (ASP.NET Core's
 *       {@code HubConnectionContext}), owned by the handler: protocol, keep-alive and client
 *       timeout, caller context, streams, uploads, the serial executor; it and the handler see the
 *       connection only as a {@code ConnectionView};
 *   <li>{@link org.jvmchat.hub.internal.hub.HubEndpoint}: one mapped hub (its protocols,
 *       dispatcher, lifetime manager, connections by token, listeners, heartbeat);
 *   <li>{@link org.jvmchat.hub.internal.hub.HubRuntime}: what every host shares (the endpoints, the
 *       hub executor, the heartbeat, the stop sequence).
 * </ul>
 *
 * <p>The calls run one way: a transport hands bytes to the connection, the connection to its hub's
 * handler, the handler to the dispatcher, the dispatcher to the lifetime manager. Inside the
 * package the classes have no cycle: the hub side depends on {@code ConnectionView}, the connection
 * on {@code ConnectionApplication} and its {@code ServerConnection.Owner}. May depend on {@code
 * internal.dispatch}, {@code internal.lifetime}, {@code internal.connection}, {@code
 * internal.transport}, the SPI and the public API; never on a host ({@code internal.server}, {@code
 * internal.host}).
 */
package org.jvmchat.hub.internal.hub;
