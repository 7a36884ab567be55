package org.jvmchat.protocol;

/**
 * Input that is not a valid hub protocol message: malformed framing or payload, a missing or
 * mistyped required field, a message over the size limit. It is connection-fatal (the receiver
 * closes the connection with a reason); the message says what was wrong.
 */
public class HubProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HubProtocolException(String message) {
    super(message);
  }

  public HubProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
