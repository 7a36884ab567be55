package org.jvmchat.load;

import java.util.Locale;

/** The SignalR hub protocol the driver's connections speak (the socket.io wire has only one). */
public enum Protocol {
  /** {@code json}: text frames, messages ended by 0x1E. */
  JSON,
  /** {@code messagepack}: binary frames, messages prefixed by their VarInt length. */
  MESSAGEPACK,
  /** Half and half: even connections JSON, odd ones MessagePack (a mixed room). */
  MIXED;

  public static Protocol parse(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "json" -> JSON;
      case "messagepack", "msgpack" -> MESSAGEPACK;
      case "mixed" -> MIXED;
      default ->
          throw new IllegalArgumentException(
              "unknown protocol '" + s + "' (json, messagepack, mixed)");
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What connection {@code index} speaks. */
  public Protocol of(int index) {
    return this == MIXED ? (index % 2 == 0 ? JSON : MESSAGEPACK) : this;
  }
}
