package org.jvmchat.client;

/** The life cycle of a {@link HubConnection}, as in the official clients. */
public enum HubConnectionState {
  /** Not connected; {@link HubConnection#start()} may be called. */
  Disconnected,
  /** {@code start()} is negotiating, opening a transport or waiting for the handshake. */
  Connecting,
  /** The handshake completed; messages flow. */
  Connected,
  /** The connection was lost and the retry policy is starting a new one. */
  Reconnecting,
  /** {@code stop()} was called and the connection is shutting down. */
  Disconnecting
}
