package org.jvmchat.client;

/**
 * An error reported by the server for one invocation or stream (the {@code error} of a Completion),
 * or by the server when it closed the connection. The message is the server's text.
 */
public class HubException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HubException(String message) {
    super(message);
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
