/**
 * Who receives a message, in one process (internal; may change at any time), as ASP.NET Core's
 * {@code DefaultHubLifetimeManager}: the connections of a hub ({@code HubConnectionStore}), its
 * groups and users ({@code LocalUserGroups}), client results awaited from a connection ({@code
 * ClientResults}), and the in-memory {@link org.jvmchat.hub.spi.UserGroupStore}. Connections are
 * seen only as {@link org.jvmchat.hub.spi.HubConnectionContext}s.
 *
 * <p>May depend on {@code internal.connection} (a broadcast's write batch) and the SPI only.
 */
package org.jvmchat.hub.internal.lifetime;
