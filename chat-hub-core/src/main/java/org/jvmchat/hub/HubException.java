package org.jvmchat.hub;

/**
 * An error meant for the caller: its message reaches the client in full (other exceptions only when
 * detailed errors are enabled).
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
