package org.jvmchat.hub.spi;

import io.netty.util.concurrent.EventExecutor;
import java.nio.ByteBuffer;
import org.jvmchat.hub.HubUser;

/**
 * Opens hub connections whose client is reached through something other than this server's own HTTP
 * endpoint: a connection source such as Azure SignalR Service's server connections, where the
 * service holds the client's socket and forwards its bytes. The hub then runs exactly as for a
 * direct client: the handshake, invocations, keep-alive pings and timeouts, groups, client results.
 * The server hands one acceptor per hub to its lifetime manager ({@link
 * HubLifetimeManager#start(HubConnectionAcceptor)}).
 */
public interface HubConnectionAcceptor {
  /**
   * Opens a connection. Its state lives on {@code transport.eventLoop()}; call this there.
   *
   * @param connectionId the client's connection id (as the source names it; unique per hub)
   * @param user the authenticated user, or null for an anonymous client
   * @param transport how the hub's bytes reach the client
   * @return the connection, to hand the client's bytes to
   */
  AcceptedConnection open(String connectionId, HubUser user, ConnectionTransport transport);

  /** The source's side of a connection: where the hub's bytes go. */
  interface ConnectionTransport {
    /** The event loop the connection's state lives on (e.g. the carrying socket's). */
    EventExecutor eventLoop();

    /**
     * Whether the carrier accepts more bytes now; while false the hub keeps the connection's
     * messages in its bounded outbound queue (and closes a connection whose queue overflows), and
     * {@link AcceptedConnection#writable()} resumes it.
     */
    default boolean isWritable() {
      return true;
    }

    /**
     * Sends bytes to the client: one or more whole hub messages, each framed as its protocol frames
     * it (JSON ends each with 0x1e; MessagePack prefixes its length), the handshake response
     * included. Called on the event loop, once per drain.
     */
    void send(byte[] bytes, boolean binary);

    /**
     * The hub ended the connection (after sending what was queued, its Close message included): the
     * source ends the client's connection. {@code error} is null for a normal close. Not called
     * when the source itself reported the end ({@link AcceptedConnection#closed(String)}).
     */
    void end(String error);
  }

  /** The hub's side of a connection. Thread-safe. */
  interface AcceptedConnection {
    String connectionId();

    /** Bytes from the client; false when the connection has already ended. */
    boolean receive(ByteBuffer bytes);

    /** The client's connection ended at the source; the hub cleans up (onDisconnected). */
    void closed(String error);

    /**
     * The carrier can take bytes again after {@link ConnectionTransport#isWritable()} was false.
     */
    void writable();
  }
}
