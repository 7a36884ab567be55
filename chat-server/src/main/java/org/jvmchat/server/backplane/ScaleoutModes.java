package org.jvmchat.server.backplane;

import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.SettingsException;

/** Chooses the backplane from the settings. */
@FunctionalInterface
public interface BackplaneFactory {
  /**
   * @throws SettingsException when the settings ask for a backplane that cannot be made
   */
  Backplane create(ChatSettings settings);

  /**
   * The in-process backplane without {@code REDIS_URL}; with it, the Redis backplane (a malformed
   * URL stops the start with a readable error; an unreachable Redis does not: the server starts,
   * reports not ready, and connects when Redis answers).
   */
  static BackplaneFactory standard() {
    return settings -> {
      if (settings.redisUrl() == null) {
        return Backplane.inProcess();
      }
      try {
        return new RedisChatBackplane(settings.redisUrl());
      } catch (IllegalArgumentException e) {
        throw new SettingsException("REDIS_URL is not valid: " + e.getMessage());
      }
    };
  }
}
