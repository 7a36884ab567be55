/** The transports (WebSockets, Server-Sent Events, long polling). Not API. */
package org.jvmchat.client.internal.transport;
