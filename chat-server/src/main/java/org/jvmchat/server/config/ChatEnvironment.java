package org.jvmchat.server.config;

import org.jvmchat.persistence.settings.InvalidSettingException;
import org.jvmchat.persistence.settings.SettingValues;

/** {@code Development} (dev tokens, generated key) or {@code Production}. */
public enum ChatEnvironment {
  DEVELOPMENT("Development"),
  PRODUCTION("Production");

  private final String displayName;

  ChatEnvironment(String displayName) {
    this.displayName = displayName;
  }

  /** {@code Development} or {@code Production}, as written in the settings. */
  public String displayName() {
    return displayName;
  }

  /**
   * Parses {@code Development} or {@code Production} (case-insensitive).
   *
   * @param source the setting, named in the error
   * @throws InvalidSettingException for any other value
   */
  public static ChatEnvironment parse(String source, String value) {
    String name =
        SettingValues.oneOf(source, value, DEVELOPMENT.displayName, PRODUCTION.displayName);
    return name.equals(DEVELOPMENT.displayName) ? DEVELOPMENT : PRODUCTION;
  }
}
