package org.jvmchat.protocol.negotiate;

/** The transports, with the bit values the clients use in their options. */
public enum HttpTransportType {
  WebSockets(1),
  ServerSentEvents(2),
  LongPolling(4);

  private final int bit;

  HttpTransportType(int bit) {
    this.bit = bit;
  }

  public int bit() {
    return bit;
  }
}
