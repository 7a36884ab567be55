package org.jvmchat.client.internal.transport;

import org.jvmchat.protocol.negotiate.HttpTransportType;

/** Creates transports by type. */
public final class Transports {
  private Transports() {}

  public static Transport create(HttpTransportType type, TransportContext context) {
    return switch (type) {
      case WebSockets -> new WebSocketTransport(context);
      case ServerSentEvents -> new ServerSentEventsTransport(context);
      case LongPolling -> new LongPollingTransport(context);
    };
  }
}
