/**
 * jvmchat specifics on top of the generic SignalR client: {@link
 * org.jvmchat.client.chat.RoomRecovery}, every message of the rooms you follow exactly once and in
 * order, whatever the connection lost.
 */
package org.jvmchat.client.chat;
