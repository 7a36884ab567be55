package org.jvmchat.azure.signalr;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jvmchat.azure.signalr.internal.AccessTokens;
import org.jvmchat.azure.signalr.internal.AzureHubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;

/**
 * Azure SignalR Service's default mode for a jvmchat hub server: clients connect to the service,
 * the hubs run here. Plug its {@link #lifetimeManagerFactory()} into the server like any other
 * scale-out:
 *
 * <pre>{@code
 * AzureSignalR azure = AzureSignalR.create(
 *     AzureSignalROptions.builder(System.getenv("AZURE_SIGNALR_CONNECTION")).build());
 * HubServer server = HubServer.builder()
 *     .hub("/hubs/chat", ChatHub::new)
 *     .lifetimeManagerFactory(azure.lifetimeManagerFactory())
 *     .build()
 *     .start();   // opens the server connections (5 per hub by default)
 * ...
 * server.close(); // tells the service to send no new clients, drains, closes the connections
 * azure.close();  // after the server: its I/O threads
 * }</pre>
 *
 * Negotiate at the server then answers the redirect the official clients follow ({@code url} of the
 * service's client endpoint, {@code accessToken} signed with the access key and carrying the user),
 * and every send, group change and client result of the hub goes through the service.
 */
public final class AzureSignalR implements AutoCloseable {
  private final AzureSignalROptions options;
  private final AccessTokens tokens;
  private final EventLoopGroup group;
  private final List<AzureHubLifetimeManager> managers = new CopyOnWriteArrayList<>();

  private AzureSignalR(AzureSignalROptions options) {
    this.options = options;
    this.tokens =
        new AccessTokens(
            options.connectionString().accessKey(),
            options.accessTokenLifetime(),
            Clock.systemUTC());
    this.group =
        new MultiThreadIoEventLoopGroup(
            Math.min(2, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("jvmchat-azure-signalr", true),
            NioIoHandler.newFactory());
  }

  /**
   * Starts nothing yet: the server connections open when a server using {@link
   * #lifetimeManagerFactory()} starts.
   *
   * @throws IllegalArgumentException when the access key cannot sign tokens (shorter than 32 bytes)
   */
  public static AzureSignalR create(AzureSignalROptions options) {
    return new AzureSignalR(Objects.requireNonNull(options, "options"));
  }

  public AzureSignalROptions options() {
    return options;
  }

  /** The lifetime managers, one per hub of the server, each with its own server connections. */
  public HubLifetimeManagerFactory lifetimeManagerFactory() {
    return context -> {
      AzureHubLifetimeManager m = new AzureHubLifetimeManager(context, options, tokens, group);
      managers.add(m);
      return m;
    };
  }

  /** What {@link #status()} reports for one hub. */
  public record HubStatus(String hub, int readyConnections, int connections, String lastError) {}

  /** The state of the server connections. */
  public record Status(boolean connected, List<HubStatus> hubs) {
    /** One line for health checks and logs. */
    public String detail() {
      if (hubs.isEmpty()) {
        return "no hub started";
      }
      StringBuilder sb = new StringBuilder();
      for (HubStatus h : hubs) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append("hub ")
            .append(h.hub())
            .append(": ")
            .append(h.readyConnections())
            .append('/')
            .append(h.connections())
            .append(" server connections up");
        if (h.readyConnections() < h.connections() && h.lastError() != null) {
          sb.append(" (").append(h.lastError()).append(')');
        }
      }
      return sb.toString();
    }
  }

  /**
   * Connected when every hub has at least one server connection whose handshake is done (what
   * readiness needs: without one, no client can reach the hub).
   */
  public Status status() {
    List<HubStatus> hubs = new ArrayList<>();
    boolean all = !managers.isEmpty();
    for (AzureHubLifetimeManager m : managers) {
      int ready = m.readyConnections();
      hubs.add(new HubStatus(m.serviceHubName(), ready, options.connectionCount(), m.lastError()));
      all &= ready > 0;
    }
    return new Status(all, List.copyOf(hubs));
  }

  /** Stops the I/O threads; close the server first (it closes the managers and connections). */
  @Override
  public void close() {
    for (AzureHubLifetimeManager m : managers) {
      m.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
