package org.jvmchat.persistence;

/**
 * The store was asked for the embedded PostgreSQL (no {@code DATABASE_URL}, {@code
 * CHAT_STORE=postgres}) but cannot have one here: {@code chat-persistence-embedded} is not on the
 * classpath, or it ships no PostgreSQL binary for this platform. The message is one line that says
 * what to set instead; an application may print it as it is, without a stack trace.
 */
public class EmbeddedDatabaseUnavailableException extends ChatStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line: why, and what to set instead
   */
  public EmbeddedDatabaseUnavailableException(String message) {
    super(message);
  }
}
