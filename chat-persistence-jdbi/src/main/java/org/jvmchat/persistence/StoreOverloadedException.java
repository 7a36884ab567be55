package org.jvmchat.persistence;

/**
 * The store's write queue was full, so the message was refused at once and not stored. Retrying
 * after a short pause may succeed.
 */
public class StoreOverloadedException extends ChatStoreException {
  private static final long serialVersionUID = 1L;

  public StoreOverloadedException(String message) {
    super(message);
  }
}
