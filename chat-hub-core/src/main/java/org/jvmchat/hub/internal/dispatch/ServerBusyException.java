package org.jvmchat.hub.internal.dispatch;

/**
 * The server's executor is saturated (pool and queue full): a connection's serial lane fails the
 * task it could not hand over with this, and the invocation fails with its message.
 */
public final class ServerBusyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ServerBusyException() {
    super("The server is too busy to run this now. Try again later.");
  }
}
