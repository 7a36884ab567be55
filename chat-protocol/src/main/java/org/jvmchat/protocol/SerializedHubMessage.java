package org.jvmchat.protocol;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A message with its serialized form cached per protocol, so that a broadcast to many connections
 * costs one serialization per protocol in use, not one per connection. The cached arrays are
 * shared: never modify them. Thread-safe.
 */
public final class SerializedHubMessage {
  private final HubMessage message;
  private final Map<String, byte[]> serialized;
  // The last two protocols asked for with their bytes: a broadcast asks for the same one or two
  // (a room mixing JSON and MessagePack clients) over and over, so most calls skip the map and
  // allocate nothing.
  private volatile Last last;
  private volatile Last previous;

  private record Last(HubProtocol protocol, byte[] bytes) {}

  public SerializedHubMessage(HubMessage message) {
    this.message = message;
    this.serialized = new ConcurrentHashMap<>(4);
  }

  /** A message known only in serialized form (a backplane delivering bytes made elsewhere). */
  public static SerializedHubMessage ofSerialized(Map<String, byte[]> bytesByProtocol) {
    SerializedHubMessage m = new SerializedHubMessage(null);
    m.serialized.putAll(bytesByProtocol);
    return m;
  }

  /** The message, or {@code null} when only its serialized forms are known. */
  public HubMessage message() {
    return message;
  }

  /** The framed bytes of the message in {@code protocol}, serialized at most once. */
  public byte[] bytes(HubProtocol protocol) {
    Last l = last;
    if (l != null && l.protocol() == protocol) {
      return l.bytes();
    }
    Last p = previous;
    if (p != null && p.protocol() == protocol) {
      return p.bytes();
    }
    byte[] bytes = serialized.get(protocol.name());
    if (bytes == null) {
      if (message == null) {
        throw new IllegalStateException(
            "No serialized form for protocol '" + protocol.name() + "'");
      }
      bytes = serialized.computeIfAbsent(protocol.name(), n -> protocol.toBytes(message));
    }
    previous = l;
    last = new Last(protocol, bytes);
    return bytes;
  }
}
