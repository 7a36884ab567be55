/**
 * A Java client for ASP.NET Core SignalR hubs (and jvmchat servers): {@link
 * org.jvmchat.client.HubConnectionBuilder} builds a {@link org.jvmchat.client.HubConnection}.
 */
package org.jvmchat.client;
