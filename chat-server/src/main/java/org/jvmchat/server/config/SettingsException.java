package org.jvmchat.server.config;

/** The settings are not valid; the message is one readable line naming the setting. */
public class SettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SettingsException(String message) {
    super(message);
  }

  public SettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
