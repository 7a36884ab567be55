package org.jvmchat.server.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.jvmchat.persistence.settings.SettingValues;
import org.jvmchat.server.limits.RateLimit;

/**
 * Abuse limits and operations settings, from the environment only:
 *
 * <table>
 *   <caption>variables</caption>
 *   <tr><td>LOG_FORMAT</td><td>{@code text} or {@code json}</td><td>text</td></tr>
 *   <tr><td>LOG_LEVEL</td><td>TRACE, DEBUG, INFO, WARN, ERROR or OFF</td><td>INFO</td></tr>
 *   <tr><td>MANAGEMENT_PORT</td><td>port of {@code /metrics} (and health); 0 picks one</td>
 *       <td>none</td></tr>
 *   <tr><td>MAX_CONNECTIONS_PER_USER</td><td>across instances; 0 = unlimited</td><td>0</td></tr>
 *   <tr><td>MESSAGE_RATE_LIMIT</td><td>{@code COUNT/DURATION} per user</td><td>unlimited</td></tr>
 *   <tr><td>NEGOTIATE_RATE_LIMIT_PER_IP</td><td>{@code COUNT/DURATION}</td><td>unlimited</td></tr>
 *   <tr><td>DEV_TOKEN_RATE_LIMIT_PER_IP</td><td>{@code COUNT/DURATION}</td><td>unlimited</td></tr>
 *   <tr><td>CONNECTION_COUNT_TTL</td><td>how long a dead instance's connections still count
 *       (Redis)</td><td>15s</td></tr>
 * </table>
 */
public record OperationsSettings(
    String logFormat,
    String logLevel,
    Integer managementPort,
    int maxConnectionsPerUser,
    RateLimit messageRateLimit,
    RateLimit negotiateRateLimitPerIp,
    RateLimit devTokenRateLimitPerIp,
    Duration connectionCountTtl) {

  public static final Duration DEFAULT_CONNECTION_COUNT_TTL = Duration.ofSeconds(15);

  public static OperationsSettings defaults() {
    return new OperationsSettings(
        "text", "INFO", null, 0, null, null, null, DEFAULT_CONNECTION_COUNT_TTL);
  }

  public OperationsSettings {
    if (maxConnectionsPerUser < 0) {
      throw new SettingsException(
          "MAX_CONNECTIONS_PER_USER must be 0 (unlimited) or more, was " + maxConnectionsPerUser);
    }
    if (managementPort != null && (managementPort < 0 || managementPort > 65535)) {
      throw new SettingsException("MANAGEMENT_PORT must be 0..65535, was " + managementPort);
    }
    if (connectionCountTtl.toMillis() < 300) {
      throw new SettingsException("CONNECTION_COUNT_TTL must be at least 300ms");
    }
  }

  /**
   * Reads the variables above.
   *
   * @throws SettingsException with one readable line naming the variable
   */
  public static OperationsSettings fromEnvironment(Map<String, String> env) {
    try {
      String v;
      String format = "text";
      if ((v = SettingValues.get(env, "LOG_FORMAT")) != null) {
        format = SettingValues.oneOf("LOG_FORMAT", v, "text", "json");
      }
      String level = "INFO";
      if ((v = SettingValues.get(env, "LOG_LEVEL")) != null) {
        level =
            SettingValues.oneOf("LOG_LEVEL", v, "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF")
                .toUpperCase(Locale.ROOT);
      }
      Integer managementPort = null;
      if ((v = SettingValues.get(env, "MANAGEMENT_PORT")) != null) {
        managementPort = SettingValues.wholeNumber("MANAGEMENT_PORT", v);
      }
      int maxPerUser = 0;
      if ((v = SettingValues.get(env, "MAX_CONNECTIONS_PER_USER")) != null) {
        maxPerUser =
            v.equalsIgnoreCase("unlimited")
                ? 0
                : SettingValues.wholeNumber("MAX_CONNECTIONS_PER_USER", v);
      }
      Duration ttl = DEFAULT_CONNECTION_COUNT_TTL;
      if ((v = SettingValues.get(env, "CONNECTION_COUNT_TTL")) != null) {
        ttl = SettingValues.duration("CONNECTION_COUNT_TTL", v);
      }
      return new OperationsSettings(
          format,
          level,
          managementPort,
          maxPerUser,
          RateLimit.parse("MESSAGE_RATE_LIMIT", env.get("MESSAGE_RATE_LIMIT")),
          RateLimit.parse("NEGOTIATE_RATE_LIMIT_PER_IP", env.get("NEGOTIATE_RATE_LIMIT_PER_IP")),
          RateLimit.parse("DEV_TOKEN_RATE_LIMIT_PER_IP", env.get("DEV_TOKEN_RATE_LIMIT_PER_IP")),
          ttl);
    } catch (RuntimeException e) {
      if (e instanceof SettingsException) {
        throw e;
      }
      throw new SettingsException(e.getMessage(), e);
    }
  }
}
