package org.jvmchat.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The jvmchat.* properties.
 *
 * @param server where the hubs are served: on the application's own port (default), or on a Netty
 *     port of their own
 * @param hub the options of every @HubEndpoint hub (defaults as ASP.NET Core's), also the
 *     HubOptions bean that HubMapping beans may use
 * @param shutdown graceful shutdown with the application
 * @param security how Spring Security's users become hub users
 * @param metrics hub meters in the application's MeterRegistry
 */
@ConfigurationProperties("jvmchat")
public record JvmChatProperties(
    @DefaultValue Server server,
    @DefaultValue Hub hub,
    @DefaultValue Shutdown shutdown,
    @DefaultValue Security security,
    @DefaultValue Metrics metrics) {

  /**
   * Where the hubs are served.
   *
   * @param port when set, the hubs are served on this port by jvmchat's own Netty server (0 picks a
   *     free port) instead of on the application's Servlet web server; unset: on the application's
   *     port, beside its controllers
   * @param host the address the Netty server binds (with port); default all interfaces
   * @param corsOrigins origins allowed to call the hubs from a browser on another origin, for the
   *     Netty server (* allows any; the origin is echoed with credentials). On the application's
   *     port, CORS is the application's (Spring's CorsFilter or Spring Security)
   */
  public record Server(Integer port, String host, @DefaultValue List<String> corsOrigins) {}

  /**
   * Hub options, as HubOptions.
   *
   * @param maxMessageSize largest message or handshake a client may send
   * @param keepAliveInterval how often the server pings (not on long polling)
   * @param clientTimeout silence after the client's first ping that closes the connection
   * @param handshakeTimeout time to complete the handshake
   * @param disconnectTimeout how long a connection without a transport is kept
   * @param longPollTimeout how long a poll is held with nothing to send
   * @param clientResultTimeout how long a client result is awaited
   * @param streamBufferCapacity items buffered per client-to-server stream
   * @param outboundBufferLimit bytes queued for one connection before it is closed as a slow
   *     consumer
   * @param allowStatefulReconnects honour clients' withStatefulReconnect()
   * @param statefulReconnectBufferSize unacknowledged bytes kept per stateful connection
   * @param maxQueuedInvocations a connection's invocations read and not yet completed, before
   *     reading pauses
   * @param maxQueuedInvocationBytes the bytes of those invocations, before reading pauses
   * @param transports the transports offered at negotiate
   * @param protocols the hub protocols accepted (json, messagepack)
   * @param detailedErrors exception types and messages in the errors sent to clients
   * @param closeOnAuthenticationExpiration close a connection when its user's token expires
   */
  public record Hub(
      @DefaultValue("32KB") DataSize maxMessageSize,
      @DefaultValue("15s") Duration keepAliveInterval,
      @DefaultValue("30s") Duration clientTimeout,
      @DefaultValue("15s") Duration handshakeTimeout,
      @DefaultValue("15s") Duration disconnectTimeout,
      @DefaultValue("90s") Duration longPollTimeout,
      @DefaultValue("30s") Duration clientResultTimeout,
      @DefaultValue("10") int streamBufferCapacity,
      @DefaultValue("1MB") DataSize outboundBufferLimit,
      @DefaultValue("false") boolean allowStatefulReconnects,
      @DefaultValue("100000B") DataSize statefulReconnectBufferSize,
      @DefaultValue("64") int maxQueuedInvocations,
      @DefaultValue("1MB") DataSize maxQueuedInvocationBytes,
      @DefaultValue({"WebSockets", "ServerSentEvents", "LongPolling"})
          Set<HttpTransportType> transports,
      @DefaultValue({"json", "messagepack"}) Set<String> protocols,
      @DefaultValue("false") boolean detailedErrors,
      @DefaultValue("false") boolean closeOnAuthenticationExpiration) {

    /** These properties as HubOptions. */
    public HubOptions toHubOptions() {
      return HubOptions.builder()
          .maxMessageSize(Math.toIntExact(maxMessageSize.toBytes()))
          .keepAliveInterval(keepAliveInterval)
          .clientTimeout(clientTimeout)
          .handshakeTimeout(handshakeTimeout)
          .disconnectTimeout(disconnectTimeout)
          .longPollTimeout(longPollTimeout)
          .clientResultTimeout(clientResultTimeout)
          .streamBufferCapacity(streamBufferCapacity)
          .outboundBufferLimit(Math.toIntExact(outboundBufferLimit.toBytes()))
          .allowStatefulReconnects(allowStatefulReconnects)
          .statefulReconnectBufferSize(statefulReconnectBufferSize.toBytes())
          .maxQueuedInvocations(maxQueuedInvocations)
          .maxQueuedInvocationBytes(Math.toIntExact(maxQueuedInvocationBytes.toBytes()))
          .transports(transports)
          .protocols(protocols)
          .detailedErrors(detailedErrors)
          .closeOnAuthenticationExpiration(closeOnAuthenticationExpiration)
          .build();
    }
  }

  /**
   * Graceful shutdown.
   *
   * @param timeout how long in-flight invocations may finish after every client was sent a Close
   *     with allowReconnect: true, when the application context closes
   */
  public record Shutdown(@DefaultValue("10s") Duration timeout) {}

  /**
   * Spring Security.
   *
   * @param enabled map Spring Security's users to hub users: the request's Authentication on the
   *     application's port, and bearer tokens checked by the application's JwtDecoder bean (header
   *     or access_token query parameter)
   */
  public record Security(@DefaultValue("true") boolean enabled) {}

  /**
   * Metrics.
   *
   * @param enabled record the hubs' meters in the application's MeterRegistry, when it has one
   */
  public record Metrics(@DefaultValue("true") boolean enabled) {}
}
