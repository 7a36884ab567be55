package org.jvmchat.hub.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What the server allows an HTTP connection before it has proved anything (issue #27): how long the
 * request head and body may take to arrive (slowloris), how long a keep-alive connection may sit
 * idle between requests, how many connections may be open (in total and per remote address), and
 * how large a body is read for a request whose credentials the authenticator did not accept.
 * Immutable; {@link #builder()} starts at the defaults ({@code DEFAULT_*}), which follow Kestrel's
 * where it has one.
 *
 * <p>What each limit does when it is reached:
 *
 * <ul>
 *   <li>head or body not complete in time: {@code 408 Request Timeout} and the connection is
 *       closed;
 *   <li>keep-alive connection idle too long: the connection is closed (no request was in flight);
 *   <li>too many connections: the new one gets {@code 503 Service Unavailable} with {@code
 *       Connection: close} and is closed before any of its bytes are read;
 *   <li>a body larger than {@link #maxUnauthenticatedBodySize()} without a user the authenticator
 *       accepts: {@code 413} (the body is not read; the request head is authenticated first, with
 *       reading paused).
 * </ul>
 *
 * A WebSocket, a Server-Sent Events stream or a long poll in progress is not subject to these
 * timeouts (the hub's keep-alive and client timeout watch those).
 */
public final class HttpLimits {
  /** Kestrel's {@code RequestHeadersTimeout}. */
  public static final Duration DEFAULT_REQUEST_HEADERS_TIMEOUT = Duration.ofSeconds(30);

  public static final Duration DEFAULT_REQUEST_BODY_TIMEOUT = Duration.ofSeconds(30);

  /** Kestrel's {@code KeepAliveTimeout}. */
  public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(130);

  public static final int DEFAULT_MAX_CONNECTIONS = 100_000;

  /** No limit: behind a proxy every client has the proxy's address. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 0;

  public static final int DEFAULT_MAX_UNAUTHENTICATED_BODY_SIZE = 64 * 1024;

  private static final HttpLimits DEFAULTS = builder().build();

  private final Duration requestHeadersTimeout;
  private final Duration requestBodyTimeout;
  private final Duration keepAliveTimeout;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final int maxUnauthenticatedBodySize;

  private HttpLimits(Builder b) {
    this.requestHeadersTimeout = b.requestHeadersTimeout;
    this.requestBodyTimeout = b.requestBodyTimeout;
    this.keepAliveTimeout = b.keepAliveTimeout;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    this.maxUnauthenticatedBodySize = b.maxUnauthenticatedBodySize;
  }

  public static HttpLimits defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .requestHeadersTimeout(requestHeadersTimeout)
        .requestBodyTimeout(requestBodyTimeout)
        .keepAliveTimeout(keepAliveTimeout)
        .maxConnections(maxConnections)
        .maxConnectionsPerAddress(maxConnectionsPerAddress)
        .maxUnauthenticatedBodySize(maxUnauthenticatedBodySize);
  }

  /** From a request's first byte to the end of its head. */
  public Duration requestHeadersTimeout() {
    return requestHeadersTimeout;
  }

  /** From the end of a request's head to the end of its body. */
  public Duration requestBodyTimeout() {
    return requestBodyTimeout;
  }

  /** How long a connection may wait for its next request (also before its first one). */
  public Duration keepAliveTimeout() {
    return keepAliveTimeout;
  }

  /** Open connections of every kind, WebSockets included. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Open connections from one remote address; 0 = no limit. */
  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** Largest body read before the request's credentials are accepted. */
  public int maxUnauthenticatedBodySize() {
    return maxUnauthenticatedBodySize;
  }

  @Override
  public String toString() {
    return "HttpLimits{requestHeadersTimeout="
        + requestHeadersTimeout
        + ", requestBodyTimeout="
        + requestBodyTimeout
        + ", keepAliveTimeout="
        + keepAliveTimeout
        + ", maxConnections="
        + maxConnections
        + ", maxConnectionsPerAddress="
        + (maxConnectionsPerAddress == 0 ? "unlimited" : maxConnectionsPerAddress)
        + ", maxUnauthenticatedBodySize="
        + maxUnauthenticatedBodySize
        + "}";
  }

  /** Builder; every limit starts at its {@code DEFAULT_*}. */
  public static final class Builder {
    private Duration requestHeadersTimeout = DEFAULT_REQUEST_HEADERS_TIMEOUT;
    private Duration requestBodyTimeout = DEFAULT_REQUEST_BODY_TIMEOUT;
    private Duration keepAliveTimeout = DEFAULT_KEEP_ALIVE_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    private int maxUnauthenticatedBodySize = DEFAULT_MAX_UNAUTHENTICATED_BODY_SIZE;

    private Builder() {}

    /** Default 30 s. */
    public Builder requestHeadersTimeout(Duration timeout) {
      this.requestHeadersTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Default 30 s. */
    public Builder requestBodyTimeout(Duration timeout) {
      this.requestBodyTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Default 130 s. */
    public Builder keepAliveTimeout(Duration timeout) {
      this.keepAliveTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Default 100,000. */
    public Builder maxConnections(int connections) {
      this.maxConnections = connections;
      return this;
    }

    /** Default 0 (no limit). */
    public Builder maxConnectionsPerAddress(int connections) {
      this.maxConnectionsPerAddress = connections;
      return this;
    }

    /** Default 64 KiB. */
    public Builder maxUnauthenticatedBodySize(int bytes) {
      this.maxUnauthenticatedBodySize = bytes;
      return this;
    }

    /**
     * @throws IllegalArgumentException for a timeout that is not positive, a connection limit below
     *     1 (per address: below 0), a negative body size
     */
    public HttpLimits build() {
      for (Duration d :
          new Duration[] {requestHeadersTimeout, requestBodyTimeout, keepAliveTimeout}) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("HTTP timeouts must be positive (was " + d + ")");
        }
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1");
      }
      if (maxConnectionsPerAddress < 0) {
        throw new IllegalArgumentException("maxConnectionsPerAddress must be 0 (none) or more");
      }
      if (maxUnauthenticatedBodySize < 0) {
        throw new IllegalArgumentException("maxUnauthenticatedBodySize must not be negative");
      }
      return new HttpLimits(this);
    }
  }
}
