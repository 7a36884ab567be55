package org.jvmchat.persistence;

/**
 * The database could not be reached or failed while doing the operation; nothing of the failed
 * operation was stored. Retrying later may succeed: the store reconnects by itself.
 */
public class StoreUnavailableException extends ChatStoreException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
