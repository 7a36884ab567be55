package org.jvmchat.protocol;

/**
 * Type 7: the sender is ending the connection. {@code error} is null for a normal close; {@code
 * allowReconnect} tells a client with an automatic-reconnect policy that it may start a new
 * connection.
 */
public record CloseMessage(String error, boolean allowReconnect) implements HubMessage {
  public static final CloseMessage EMPTY = new CloseMessage(null, false);
}
