package org.jvmchat.hub.internal.hub;

import java.util.concurrent.ConcurrentMap;
import org.jvmchat.hub.HubCallerContext;
import org.jvmchat.hub.HubUser;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** A connection as its hub methods see the caller: {@link org.jvmchat.hub.Hub#context()}. */
final class ConnectionCallerContext implements HubCallerContext {
  private final ServerConnection connection;

  ConnectionCallerContext(ServerConnection connection) {
    this.connection = connection;
  }

  @Override
  public String connectionId() {
    return connection.connectionId();
  }

  @Override
  public HubUser user() {
    return connection.user();
  }

  @Override
  public ConcurrentMap<Object, Object> items() {
    return connection.items();
  }

  @Override
  public String transport() {
    HttpTransportType t = connection.transportType();
    return t == null ? null : t.name();
  }

  @Override
  public String protocol() {
    HubProtocol p = connection.protocol();
    return p == null ? null : p.name();
  }

  @Override
  public void abort() {
    connection.close(null, false, null);
  }
}
