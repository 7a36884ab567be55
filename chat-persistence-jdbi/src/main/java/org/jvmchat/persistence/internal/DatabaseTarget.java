package org.jvmchat.persistence.internal;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where to connect: a JDBC URL plus credentials, and a description without secrets for errors and
 * logs.
 *
 * @param jdbcUrl a {@code jdbc:postgresql:} URL (may carry its own user and password parameters)
 * @param user the user, or {@code null} to use the URL's
 * @param password the password, or {@code null}
 * @param description {@code host:port/database}, never the password
 */
public record DatabaseTarget(String jdbcUrl, String user, String password, String description) {
  public DatabaseTarget {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(description, "description");
  }

  @Override
  public String toString() {
    return description;
  }

  /**
   * Parses {@code postgres://user:pass@host:port/db?params}, {@code postgresql://...} (user,
   * password, port and parameters optional) or {@code jdbc:postgresql://...} (passed through).
   *
   * @throws IllegalArgumentException with a readable message when the URL cannot be used
   */
  public static DatabaseTarget parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("DATABASE_URL is empty");
    }
    String trimmed = url.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseTarget(trimmed, null, null, describeJdbc(trimmed));
    }
    if (!trimmed.startsWith("postgres://") && !trimmed.startsWith("postgresql://")) {
      throw new IllegalArgumentException(
          "DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql:");
    }
    URI uri;
    try {
      uri = URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "DATABASE_URL is not a valid URL (postgres://user:pass@host:port/db)", e);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(
          "DATABASE_URL has no host (expected postgres://user:pass@host:port/db)");
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    String path = uri.getRawPath();
    String database = path == null || path.length() <= 1 ? "postgres" : decode(path.substring(1));
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    StringBuilder jdbc =
        new StringBuilder("jdbc:postgresql://")
            .append(hostPart)
            .append(':')
            .append(port)
            .append('/')
            .append(encodePathSegment(database));
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      jdbc.append('?').append(uri.getRawQuery());
    }
    return new DatabaseTarget(
        jdbc.toString(), user, password, hostPart + ":" + port + "/" + database);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String describeJdbc(String jdbcUrl) {
    String rest = jdbcUrl.substring("jdbc:postgresql:".length());
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
    }
    int query = rest.indexOf('?');
    return query < 0 ? rest : rest.substring(0, query);
  }

  /** Percent-encodes a database name for the path of a JDBC URL (the driver decodes it). */
  private static String encodePathSegment(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
