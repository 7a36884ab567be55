package org.jvmchat.client.internal;

import org.jvmchat.client.HubConnectionException;

/** A handshake problem: fails start() without trying other transports. */
final class HandshakeFailure extends HubConnectionException {
  private static final long serialVersionUID = 1L;

  HandshakeFailure(String message) {
    super(message);
  }
}
