package org.jvmchat.hub.http;

/**
 * Thrown by {@link NonBlockingAuthenticator#tryAuthenticate} (and {@link
 * BearerTokenAuthenticator.NonBlockingTokenValidator#tryValidate}) when the answer needs blocking
 * work — fetching a key set, asking a remote service: the server then calls {@link
 * Authenticator#authenticate} on the blocking executor instead. Carries no stack trace; {@link
 * #INSTANCE} serves every case.
 */
public final class WouldBlockException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The shared instance (it has no stack trace and no per-case state). */
  public static final WouldBlockException INSTANCE = new WouldBlockException();

  private WouldBlockException() {
    super("The authentication needs blocking work", null, false, false);
  }
}
