package org.jvmchat.server.backplane;

import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.SettingsException;

/** Chooses the {@link ScaleoutMode} from the settings. */
@FunctionalInterface
public interface ScaleoutModes {
  /**
   * @throws SettingsException when the settings ask for a mode that cannot be made
   */
  ScaleoutMode create(ChatSettings settings);

  /**
   * Azure SignalR Service's default mode with {@code AZURE_SIGNALR_CONNECTION} (it carries the hub
   * traffic, so {@code REDIS_URL} is not used for it); otherwise in-process without {@code
   * REDIS_URL}; with it, scale-out over Redis (a malformed URL stops the start with a readable
   * error; an unreachable Redis does not: the server starts, reports not ready, and connects when
   * Redis answers).
   */
  static ScaleoutModes standard() {
    return settings -> {
      if (settings.azureSignalRConnection() != null) {
        try {
          return new AzureScaleout(settings.azureSignalRConnection());
        } catch (IllegalArgumentException e) {
          throw new SettingsException("AZURE_SIGNALR_CONNECTION is not valid: " + e.getMessage());
        }
      }
      if (settings.redisUrl() == null) {
        return ScaleoutMode.inProcess();
      }
      try {
        // User groups in Redis only for the serverless REST API, their one user here.
        return new RedisScaleout(
            settings.redisUrl(),
            RedisScaleout.CHANNEL_PREFIX,
            settings.chatAccessKey() != null,
            replay(System.getenv(RedisScaleout.REPLAY_VARIABLE)));
      } catch (IllegalArgumentException e) {
        throw new SettingsException("REDIS_URL is not valid: " + e.getMessage());
      }
    };
  }

  /**
   * {@code REDIS_BACKPLANE_REPLAY}: messages kept across a Redis outage, a whole number from 0
   * (pub/sub, at-most-once) to 10,000,000; unset or blank means {@link
   * RedisScaleout#DEFAULT_REPLAY}.
   *
   * @throws SettingsException when it is not such a number
   */
  static int replay(String value) {
    if (value == null || value.isBlank()) {
      return RedisScaleout.DEFAULT_REPLAY;
    }
    try {
      int n = Integer.parseInt(value.trim().replace("_", ""));
      if (n >= 0 && n <= 10_000_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SettingsException(
        RedisScaleout.REPLAY_VARIABLE
            + " must be a whole number of messages from 0 (pub/sub, at-most-once) to 10000000,"
            + " was '"
            + value
            + "'");
  }
}
