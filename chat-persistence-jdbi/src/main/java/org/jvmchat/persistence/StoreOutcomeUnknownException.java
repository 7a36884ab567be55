package org.jvmchat.persistence;

/**
 * The database connection broke while the operation was being committed, and the store could not
 * find out in time whether the commit happened: what was written may or may not be stored. A
 * message may therefore appear in the history (with its {@code seq}) although its append failed;
 * look there before sending it again.
 */
public class StoreOutcomeUnknownException extends ChatStoreException {
  private static final long serialVersionUID = 1L;

  public StoreOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
