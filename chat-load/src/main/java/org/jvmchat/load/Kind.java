package org.jvmchat.load;

import java.util.Locale;

/** The wire a server speaks. */
public enum Kind {
  /** The reference chat server: SignalR JSON over WebSockets, JWT, rooms created over REST. */
  CHAT,
  /** The raw Netty ceiling server: the same SignalR JSON wire, no auth, no REST. */
  CEILING,
  /** The Node socket.io 4.8 peer: Engine.IO v4 / Socket.IO v5 over WebSockets. */
  SOCKETIO;

  public static Kind parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown kind '" + s + "' (chat, ceiling, socketio)");
    }
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the wire is SignalR's JSON hub protocol. */
  public boolean signalR() {
    return this != SOCKETIO;
  }
}
