package org.jvmchat.client;

/**
 * The connection could not be established or was lost: negotiate failed, no transport could
 * connect, the handshake was refused or timed out, the server went silent, or the connection closed
 * while an invocation was pending.
 */
public class HubConnectionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HubConnectionException(String message) {
    super(message);
  }

  public HubConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
