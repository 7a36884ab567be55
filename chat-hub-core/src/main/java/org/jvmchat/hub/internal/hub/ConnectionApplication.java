package org.jvmchat.hub.internal.hub;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.HubProtocol;

/**
 * What a transport-level connection ({@link ServerConnection}) hands on to, as ASP.NET Core's
 * {@code HttpConnectionContext} hands its pipe to the {@code ConnectionDelegate}: its hub's {@link
 * HubConnectionHandler}, bound to the connection's {@link DefaultHubConnectionContext}. Every
 * method runs on the connection's executor unless it says otherwise.
 */
interface ConnectionApplication {
  /** Bytes from the client, in order; then {@code taken} (if any) once they were taken in. */
  void received(ByteBuffer bytes, Runnable taken);

  /** The heartbeat, while a transport is attached: handshake and keep-alive timeouts, Acks. */
  void tick(long now);

  /** A stateful reconnect attached a new socket: counts as hearing from the client. */
  void reattached();

  /** The Sequence message that starts the replay after a stateful reconnect. */
  byte[] sequenceMessage(long sequenceId);

  /** The connection as lifetime managers write to it (any thread). */
  HubConnectionContext context();

  /** The protocol of the handshake, or null before it (any thread). */
  HubProtocol protocol();

  /** Ends the connection with a Close message (when the handshake was done); any thread. */
  void close(String error, boolean allowReconnect, Throwable cause);

  /** The connection ended: streams stopped, onDisconnected run; completes when all is done. */
  CompletableFuture<Void> ended(Throwable cause);
}
