package org.jvmchat.persistence;

/** A store operation failed for a reason other than invalid arguments. */
public class ChatStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ChatStoreException(String message) {
    super(message);
  }

  public ChatStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
