/**
 * The transport layer of the Netty host (internal; may change at any time): how a connection's
 * bytes reach the client and come back. {@link org.jvmchat.hub.internal.transport.Transport} is
 * everything a connection may ask of a transport (WebSockets, Server-Sent Events, long polling);
 * {@link org.jvmchat.hub.internal.transport.TransportConnection} is all a transport sees of its
 * connection (the client's bytes, close, writability), and {@link
 * org.jvmchat.hub.internal.transport.Outbound} the queue it drains. A drain frames every queued
 * message into one pooled direct buffer ({@code ChannelDrain}).
 *
 * <p>Depends on no other internal package: only Netty and chat-protocol.
 */
package org.jvmchat.hub.internal.transport;
