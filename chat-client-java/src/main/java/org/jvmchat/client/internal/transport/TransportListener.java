package org.jvmchat.client.internal.transport;

import java.nio.ByteBuffer;

/** What a transport reports. Called from the transport's reading thread, one call at a time. */
public interface TransportListener {

  /** Bytes from the server (one frame, event or poll body). */
  void onReceive(ByteBuffer data);

  /**
   * The transport ended.
   *
   * @param error null for a clean close
   * @param abrupt true when the connection broke without a closing handshake (the case stateful
   *     reconnect recovers from)
   */
  void onClose(Throwable error, boolean abrupt);
}
