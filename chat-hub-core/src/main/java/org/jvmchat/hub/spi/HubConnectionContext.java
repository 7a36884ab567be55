package org.jvmchat.hub.spi;

import org.jvmchat.hub.HubUser;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.SerializedHubMessage;

/** A connected client as a lifetime manager sees it. Thread-safe. */
public interface HubConnectionContext {
  String connectionId();

  /** The user, or {@code null} when anonymous. */
  HubUser user();

  default String userIdentifier() {
    HubUser u = user();
    return u == null ? null : u.id();
  }

  HubProtocol protocol();

  /**
   * Queues a message, serialized once per protocol and shared, to this connection; never blocks.
   * Returns false when the connection is closed (or was just closed as a slow consumer).
   */
  boolean write(SerializedHubMessage message);

  default boolean write(HubMessage message) {
    return write(new SerializedHubMessage(message));
  }

  /** Ends the connection with a Close carrying {@code error} (null for a normal close). */
  void close(String error, boolean allowReconnect);
}
