package org.jvmchat.server.config;

import java.util.Locale;

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

  /** Parses {@code Development} or {@code Production} (case-insensitive). */
  public static ChatEnvironment parse(String source, String value) {
    for (ChatEnvironment e : values()) {
      if (e.displayName.toLowerCase(Locale.ROOT).equals(value.trim().toLowerCase(Locale.ROOT))) {
        return e;
      }
    }
    throw new SettingsException(
        source + " must be Development or Production (was '" + value + "')");
  }
}
