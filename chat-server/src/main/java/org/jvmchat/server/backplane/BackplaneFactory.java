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
   * This build's choice: the in-process backplane without {@code REDIS_URL}. A Redis backplane is
   * not part of this build yet, so {@code REDIS_URL} is refused at start rather than ignored (an
   * instance that silently ran alone would lose messages between instances).
   */
  static BackplaneFactory standard() {
    return settings -> {
      if (settings.redisUrl() != null) {
        throw new SettingsException(
            "REDIS_URL is set, but this build of the chat server has no Redis backplane yet;"
                + " unset REDIS_URL to run a single instance with the in-process backplane");
      }
      return Backplane.inProcess();
    };
  }
}
