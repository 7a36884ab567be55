package org.jvmchat.protocol;

/**
 * An error meant for the other side of a hub connection, one type for server and client (as in
 * ASP.NET Core, where {@code HubException} lives in the shared protocol assembly).
 *
 * <ul>
 *   <li>Server: a hub method (or filter) throws it to fail the invocation with a message the caller
 *       reads in full; other exceptions reach the client only as a generic message unless detailed
 *       errors are enabled. The hub core also uses it for client results that fail (an error
 *       completion, a disconnect, a timeout).
 *   <li>Client: the error the server reported for one invocation or stream (the {@code error} of a
 *       Completion), or the error of a server Close; the message is the server's text.
 * </ul>
 *
 * <p>Unlike {@link HubProtocolException} it never means the connection is broken.
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
