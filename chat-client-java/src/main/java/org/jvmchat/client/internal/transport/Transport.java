package org.jvmchat.client.internal.transport;

import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Moves opaque bytes between the client and the server. Each {@link #send} carries whole hub
 * messages. A transport is started once; {@link TransportListener#onClose} fires exactly once after
 * a successful start.
 */
public interface Transport {

  HttpTransportType type();

  /**
   * Whether the server keeps the connection alive by itself (long polling: no pings, no timeout).
   */
  default boolean hasInherentKeepAlive() {
    return false;
  }

  /**
   * Connects to {@code url} (already carrying {@code id=}). Completes when the transport can carry
   * data; fails (and never calls the listener's onClose) when it cannot.
   */
  CompletableFuture<Void> start(HttpUrl url, TransferFormat format, TransportListener listener);

  /**
   * Sends {@code data}; completes when it was handed to the network (WebSocket) or accepted (POST).
   */
  CompletableFuture<Void> send(byte[] data);

  /** Closes gracefully; completes when closed. Idempotent. */
  CompletableFuture<Void> stop();
}
