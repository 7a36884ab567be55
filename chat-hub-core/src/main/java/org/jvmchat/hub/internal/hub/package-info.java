/**
 * The hub layer (internal; may change at any time): one connection and what a hub does with it.
 *
 * <ul>
 *   <li>{@link org.jvmchat.hub.internal.hub.ServerConnection}: one connection, independent of the
 *       transport carrying it; keeps its transport, its outbound queue, its state and timeouts;
 *   <li>{@link org.jvmchat.hub.internal.hub.HubConnectionHandler}: one per hub; the handshake,
 *       {@code onConnected}, parsing and routing ({@code MessageRouter}) to the dispatcher, the
 *       upload streams or the lifetime manager, and {@code onDisconnected};
 *   <li>{@link org.jvmchat.hub.internal.hub.HubEndpoint}: one mapped hub (its protocols,
 *       dispatcher, lifetime manager, connections by token, listeners, heartbeat);
 *   <li>{@link org.jvmchat.hub.internal.hub.HubRuntime}: what every host shares (the endpoints, the
 *       hub executor, the heartbeat, the stop sequence).
 * </ul>
 *
 * <p>The calls run one way: a transport hands bytes to the connection, the connection to its hub's
 * handler, the handler to the dispatcher, the dispatcher to the lifetime manager. May depend on
 * {@code internal.dispatch}, {@code internal.lifetime}, {@code internal.connection}, {@code
 * internal.transport}, the SPI and the public API; never on a host ({@code internal.server}, {@code
 * internal.host}).
 */
package org.jvmchat.hub.internal.hub;
