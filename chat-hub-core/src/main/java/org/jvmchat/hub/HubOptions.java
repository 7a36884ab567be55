package org.jvmchat.hub;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Per-hub settings, immutable; defaults are ASP.NET Core's. Build with {@link #builder()}.
 *
 * <p>Slow consumers: every connection has an outbound buffer of at most {@link
 * #outboundBufferLimit()} bytes (messages queued but not yet written to the socket). A message that
 * would exceed it closes that connection with the Close error {@code "Connection closed with an
 * error. The client is not reading messages fast enough."} and {@code allowReconnect: true}; memory
 * never grows without limit.
 */
public final class HubOptions {
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024;
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_DISCONNECT_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_LONG_POLL_TIMEOUT = Duration.ofSeconds(90);
  public static final Duration DEFAULT_CLIENT_RESULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_STREAM_BUFFER_CAPACITY = 10;
  public static final int DEFAULT_OUTBOUND_BUFFER_LIMIT = 1024 * 1024;

  /** Invocations of one connection received and not yet completed, before reading pauses. */
  public static final int DEFAULT_MAX_QUEUED_INVOCATIONS = 64;

  /** Their bytes (as framed by the client), before reading pauses. */
  public static final int DEFAULT_MAX_QUEUED_INVOCATION_BYTES = 1024 * 1024;

  public static final long DEFAULT_STATEFUL_RECONNECT_BUFFER_SIZE = 100_000;

  private final int maxMessageSize;
  private final Duration keepAliveInterval;
  private final Duration clientTimeout;
  private final Duration handshakeTimeout;
  private final Duration disconnectTimeout;
  private final Duration longPollTimeout;
  private final Duration clientResultTimeout;
  private final int streamBufferCapacity;
  private final int outboundBufferLimit;
  private final int maxQueuedInvocations;
  private final int maxQueuedInvocationBytes;
  private final int maximumParallelInvocationsPerClient;
  private final boolean detailedErrors;
  private final boolean allowStatefulReconnects;
  private final boolean closeOnAuthenticationExpiration;
  private final long statefulReconnectBufferSize;
  private final Set<HttpTransportType> transports;
  private final Set<String> protocols;

  private HubOptions(Builder b) {
    this.maxMessageSize = b.maxMessageSize;
    this.keepAliveInterval = b.keepAliveInterval;
    this.clientTimeout = b.clientTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.disconnectTimeout = b.disconnectTimeout;
    this.longPollTimeout = b.longPollTimeout;
    this.clientResultTimeout = b.clientResultTimeout;
    this.streamBufferCapacity = b.streamBufferCapacity;
    this.outboundBufferLimit = b.outboundBufferLimit;
    this.maxQueuedInvocations = b.maxQueuedInvocations;
    this.maxQueuedInvocationBytes = b.maxQueuedInvocationBytes;
    if (b.maximumParallelInvocationsPerClient < 1) {
      throw new IllegalArgumentException(
          "maximumParallelInvocationsPerClient must be at least 1: "
              + b.maximumParallelInvocationsPerClient);
    }
    this.maximumParallelInvocationsPerClient = b.maximumParallelInvocationsPerClient;
    this.detailedErrors = b.detailedErrors;
    this.allowStatefulReconnects = b.allowStatefulReconnects;
    this.closeOnAuthenticationExpiration = b.closeOnAuthenticationExpiration;
    this.statefulReconnectBufferSize = b.statefulReconnectBufferSize;
    this.transports = Set.copyOf(b.transports);
    this.protocols = Set.copyOf(b.protocols);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static HubOptions defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxMessageSize = maxMessageSize;
    b.keepAliveInterval = keepAliveInterval;
    b.clientTimeout = clientTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.disconnectTimeout = disconnectTimeout;
    b.longPollTimeout = longPollTimeout;
    b.clientResultTimeout = clientResultTimeout;
    b.streamBufferCapacity = streamBufferCapacity;
    b.outboundBufferLimit = outboundBufferLimit;
    b.maxQueuedInvocations = maxQueuedInvocations;
    b.maxQueuedInvocationBytes = maxQueuedInvocationBytes;
    b.maximumParallelInvocationsPerClient = maximumParallelInvocationsPerClient;
    b.detailedErrors = detailedErrors;
    b.allowStatefulReconnects = allowStatefulReconnects;
    b.closeOnAuthenticationExpiration = closeOnAuthenticationExpiration;
    b.statefulReconnectBufferSize = statefulReconnectBufferSize;
    b.transports = EnumSet.copyOf(transports);
    b.protocols = Set.copyOf(protocols);
    return b;
  }

  /** Largest framed message (and handshake) accepted from a client, in bytes. Default 32 KiB. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** How often the server pings a connection (not on long polling). Default 15 s. */
  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  /** Silence from a client (after its first ping) that closes its connection. Default 30 s. */
  public Duration clientTimeout() {
    return clientTimeout;
  }

  /** Time a client has to complete its handshake. Default 15 s. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * How long a connection without a transport (between polls, awaiting a stateful reconnect) is
   * kept. Default 15 s.
   */
  public Duration disconnectTimeout() {
    return disconnectTimeout;
  }

  /** How long a long-poll request is held when there is nothing to send. Default 90 s. */
  public Duration longPollTimeout() {
    return longPollTimeout;
  }

  /** How long the server awaits a client's result. Default 30 s. */
  public Duration clientResultTimeout() {
    return clientResultTimeout;
  }

  /**
   * Items buffered per client-to-server stream before reading from the client stalls, on every
   * transport, as at {@link #maxQueuedInvocations()} (a WebSocket is not read; an SSE or
   * long-polling POST is answered once its items were taken in). Default 10.
   */
  public int streamBufferCapacity() {
    return streamBufferCapacity;
  }

  /** Outbound bytes queued per connection before it is closed as a slow consumer. Default 1 MiB. */
  public int outboundBufferLimit() {
    return outboundBufferLimit;
  }

  /**
   * The bound of a connection's invocation queue, as a count (issue #27; ASP.NET Core bounds
   * parallel invocations and its transport pipe). Invocations and stream invocations count from
   * when they are read until they complete (a running one included), and so do those answered only
   * with an error in their turn (a streaming method invoked plainly, an invocation id in use, a
   * binding failure). At the bound the connection stops parsing what the client sent and stops
   * reading it: a WebSocket's socket is not read, a long-polling or SSE POST is answered only once
   * its bytes were taken in. Reading resumes when the queue is down to half of both bounds. While
   * the connection does not read, the client timeout does not run (the client's Pings wait unread).
   * A long-polling or SSE client that sends another POST before the held one was answered, taking
   * the bytes held unread past twice {@link #maxQueuedInvocationBytes()}, ignores the
   * back-pressure: its connection is closed with {@code Connection closed with an error. Too many
   * invocations are waiting: ...} ({@code allowReconnect: false}). Default 64.
   */
  public int maxQueuedInvocations() {
    return maxQueuedInvocations;
  }

  /**
   * How many invocations of {@link NonBlocking} hub methods of one connection may be incomplete at
   * once (ASP.NET Core's {@code MaximumParallelInvocationsPerClient}). They start one at a time, in
   * the order the client sent them; with 1 (the default, SignalR's rule) the next invocation starts
   * when the previous one's stage completed; with N the next starts as soon as the previous one
   * returned its stage, while fewer than N stages are incomplete. Completions are sent as the
   * stages complete (possibly not in invocation order if the stages complete out of order). Other
   * methods still start only when everything before them started, and hold the connection's turn
   * until their stage completes. Queued invocations count against {@link #maxQueuedInvocations()}
   * as before.
   */
  public int maximumParallelInvocationsPerClient() {
    return maximumParallelInvocationsPerClient;
  }

  /** The bound of a connection's invocation queue in bytes; see above. Default 1 MiB. */
  public int maxQueuedInvocationBytes() {
    return maxQueuedInvocationBytes;
  }

  /** Whether exception details reach clients. Default false. */
  public boolean detailedErrors() {
    return detailedErrors;
  }

  /** Whether clients may use stateful reconnect. Default false. */
  public boolean allowStatefulReconnects() {
    return allowStatefulReconnects;
  }

  /**
   * Whether a connection is closed when its user's credential expires ({@link
   * org.jvmchat.hub.HubUser#expiration()}), as ASP.NET Core's {@code
   * CloseOnAuthenticationExpiration}: within about a second of the expiry the client gets a Close
   * message with an error and {@code allowReconnect: true}, so a client that reconnects does so
   * with a fresh token. Default false.
   */
  public boolean closeOnAuthenticationExpiration() {
    return closeOnAuthenticationExpiration;
  }

  /** Unacknowledged bytes kept for a stateful reconnect before sends wait. Default 100,000. */
  public long statefulReconnectBufferSize() {
    return statefulReconnectBufferSize;
  }

  /** Enabled transports. Default all three. */
  public Set<HttpTransportType> transports() {
    return transports;
  }

  /** Enabled hub protocol names. Default {@code json} and {@code messagepack}. */
  public Set<String> protocols() {
    return protocols;
  }

  public static final class Builder {
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE_INTERVAL;
    private Duration clientTimeout = DEFAULT_CLIENT_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration disconnectTimeout = DEFAULT_DISCONNECT_TIMEOUT;
    private Duration longPollTimeout = DEFAULT_LONG_POLL_TIMEOUT;
    private Duration clientResultTimeout = DEFAULT_CLIENT_RESULT_TIMEOUT;
    private int streamBufferCapacity = DEFAULT_STREAM_BUFFER_CAPACITY;
    private int outboundBufferLimit = DEFAULT_OUTBOUND_BUFFER_LIMIT;
    private int maxQueuedInvocations = DEFAULT_MAX_QUEUED_INVOCATIONS;
    private int maxQueuedInvocationBytes = DEFAULT_MAX_QUEUED_INVOCATION_BYTES;
    private int maximumParallelInvocationsPerClient = 1;
    private boolean detailedErrors;
    private boolean allowStatefulReconnects;
    private boolean closeOnAuthenticationExpiration;
    private long statefulReconnectBufferSize = DEFAULT_STATEFUL_RECONNECT_BUFFER_SIZE;
    private Set<HttpTransportType> transports = EnumSet.allOf(HttpTransportType.class);
    private Set<String> protocols = Set.of("json", "messagepack");

    private Builder() {}

    public Builder maxMessageSize(int bytes) {
      this.maxMessageSize = bytes;
      return this;
    }

    public Builder keepAliveInterval(Duration d) {
      this.keepAliveInterval = d;
      return this;
    }

    public Builder clientTimeout(Duration d) {
      this.clientTimeout = d;
      return this;
    }

    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = d;
      return this;
    }

    public Builder disconnectTimeout(Duration d) {
      this.disconnectTimeout = d;
      return this;
    }

    public Builder longPollTimeout(Duration d) {
      this.longPollTimeout = d;
      return this;
    }

    public Builder clientResultTimeout(Duration d) {
      this.clientResultTimeout = d;
      return this;
    }

    public Builder streamBufferCapacity(int items) {
      this.streamBufferCapacity = items;
      return this;
    }

    /** Invocations queued per connection before reading pauses; default 64. */
    public Builder maxQueuedInvocations(int invocations) {
      this.maxQueuedInvocations = invocations;
      return this;
    }

    /** Bytes of invocations queued per connection before reading pauses; default 1 MiB. */
    public Builder maxQueuedInvocationBytes(int bytes) {
      this.maxQueuedInvocationBytes = bytes;
      return this;
    }

    /** See {@link HubOptions#maximumParallelInvocationsPerClient()}; default 1, at least 1. */
    public Builder maximumParallelInvocationsPerClient(int invocations) {
      this.maximumParallelInvocationsPerClient = invocations;
      return this;
    }

    public Builder outboundBufferLimit(int bytes) {
      this.outboundBufferLimit = bytes;
      return this;
    }

    public Builder detailedErrors(boolean enabled) {
      this.detailedErrors = enabled;
      return this;
    }

    /** See {@link HubOptions#closeOnAuthenticationExpiration()}. */
    public Builder closeOnAuthenticationExpiration(boolean close) {
      this.closeOnAuthenticationExpiration = close;
      return this;
    }

    public Builder allowStatefulReconnects(boolean allowed) {
      this.allowStatefulReconnects = allowed;
      return this;
    }

    public Builder statefulReconnectBufferSize(long bytes) {
      this.statefulReconnectBufferSize = bytes;
      return this;
    }

    public Builder transports(Set<HttpTransportType> transports) {
      this.transports = transports.isEmpty() ? Set.of() : EnumSet.copyOf(transports);
      return this;
    }

    public Builder protocols(Set<String> protocols) {
      this.protocols = Set.copyOf(protocols);
      return this;
    }

    public HubOptions build() {
      positive(maxMessageSize, "maxMessageSize");
      positive(keepAliveInterval, "keepAliveInterval");
      positive(clientTimeout, "clientTimeout");
      positive(handshakeTimeout, "handshakeTimeout");
      positive(disconnectTimeout, "disconnectTimeout");
      positive(longPollTimeout, "longPollTimeout");
      positive(clientResultTimeout, "clientResultTimeout");
      positive(streamBufferCapacity, "streamBufferCapacity");
      positive(outboundBufferLimit, "outboundBufferLimit");
      positive(maxQueuedInvocations, "maxQueuedInvocations");
      positive(maxQueuedInvocationBytes, "maxQueuedInvocationBytes");
      positive(statefulReconnectBufferSize, "statefulReconnectBufferSize");
      if (transports.isEmpty()) {
        throw new IllegalArgumentException("At least one transport must be enabled");
      }
      for (String p : protocols) {
        if (!p.equals("json") && !p.equals("messagepack")) {
          throw new IllegalArgumentException("Unknown hub protocol '" + p + "'");
        }
      }
      if (protocols.isEmpty()) {
        throw new IllegalArgumentException("At least one hub protocol must be enabled");
      }
      return new HubOptions(this);
    }

    private static void positive(long value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
    }

    private static void positive(Duration value, String name) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
      }
    }
  }
}
