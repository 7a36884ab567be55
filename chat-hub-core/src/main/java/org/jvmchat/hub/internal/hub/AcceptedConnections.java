package org.jvmchat.hub.internal.hub;

import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.spi.HubConnectionAcceptor;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * The {@link HubConnectionAcceptor} of one hub: a connection opened by a connection source is an
 * ordinary {@link ServerConnection} whose {@link Transport} hands each drain's bytes to the source.
 */
final class AcceptedConnections implements HubConnectionAcceptor {
  /** Opens a connection of the hub, registered under {@code token}. */
  interface Opener {
    ServerConnection open(String connectionId, String token, HubUser user);
  }

  private final Opener opener;

  AcceptedConnections(Opener opener) {
    this.opener = opener;
  }

  @Override
  public AcceptedConnection open(String connectionId, HubUser user, ConnectionTransport transport) {
    Objects.requireNonNull(connectionId, "connectionId");
    Objects.requireNonNull(transport, "transport");
    // The token only keys the connection in the hub's table: no client ever presents it.
    ServerConnection c = opener.open(connectionId, "source:" + connectionId, user);
    SourceTransport t = new SourceTransport(c, transport);
    c.attach(t);
    return t;
  }

  /** The transport of a connection opened by a source, and the source's handle on it. */
  private static final class SourceTransport implements Transport, AcceptedConnection {
    private final ServerConnection connection;
    private final ConnectionTransport source;
    private volatile boolean sourceClosed;

    SourceTransport(ServerConnection connection, ConnectionTransport source) {
      this.connection = connection;
      this.source = source;
    }

    @Override
    public HttpTransportType type() {
      // The source does not say how its client is connected; WebSockets is what a server
      // connection carries and what the hub's listeners are told.
      return HttpTransportType.WebSockets;
    }

    @Override
    public EventExecutor eventLoop() {
      return source.eventLoop();
    }

    @Override
    public void drain() {
      ByteArrayOutputStream batch = null;
      byte[] single = null;
      while (source.isWritable()) {
        byte[] bytes = connection.outbound().poll();
        if (bytes == null) {
          break;
        }
        if (single == null && batch == null) {
          single = bytes;
        } else {
          if (batch == null) {
            batch = new ByteArrayOutputStream(single.length + bytes.length);
            batch.writeBytes(single);
          }
          batch.writeBytes(bytes);
        }
      }
      byte[] out = batch != null ? batch.toByteArray() : single;
      if (out != null) {
        source.send(out, connection.outbound().binary());
      }
    }

    @Override
    public long pendingWriteBytes() {
      return 0;
    }

    @Override
    public void end() {
      if (!sourceClosed) {
        source.end(null);
      }
    }

    @Override
    public void abort() {
      end();
    }

    // ---------------------------------------------------------------- AcceptedConnection

    @Override
    public String connectionId() {
      return connection.connectionId();
    }

    @Override
    public boolean receive(ByteBuffer bytes) {
      return connection.receive(bytes);
    }

    @Override
    public void closed(String error) {
      sourceClosed = true;
      connection.transportClosed(
          this, error == null, error == null ? null : new java.io.IOException(error));
    }

    @Override
    public void writable() {
      connection.writable();
    }
  }
}
