package org.jvmchat.hub.http;

/** Credentials that were presented but are not valid: answered with 401. */
public class UnauthorizedException extends Exception {
  private static final long serialVersionUID = 1L;

  public UnauthorizedException(String message) {
    super(message);
  }

  public UnauthorizedException(String message, Throwable cause) {
    super(message, cause);
  }
}
