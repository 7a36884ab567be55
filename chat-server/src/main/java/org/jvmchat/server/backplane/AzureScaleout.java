package org.jvmchat.server.backplane;

import org.jvmchat.azure.signalr.AzureSignalR;
import org.jvmchat.azure.signalr.AzureSignalROptions;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;

/**
 * Azure SignalR Service, default mode ({@code AZURE_SIGNALR_CONNECTION}): clients connect to the
 * service (negotiate here redirects them), the hub runs here over the service's server connections
 * (5 per hub), and every send reaches the clients of every instance through the service, so no
 * Redis is needed for hub traffic. Readiness is 503 while no server connection is up.
 */
public final class AzureScaleout implements ScaleoutMode {
  private final AzureSignalR azure;

  /**
   * @throws IllegalArgumentException for a malformed connection string (the message never shows the
   *     key)
   */
  public AzureScaleout(String connectionString) {
    this(AzureSignalROptions.builder(connectionString).build());
  }

  public AzureScaleout(AzureSignalROptions options) {
    this.azure = AzureSignalR.create(options);
  }

  @Override
  public String name() {
    return "azure-signalr";
  }

  @Override
  public HubLifetimeManagerFactory lifetimeManagerFactory() {
    return azure.lifetimeManagerFactory();
  }

  @Override
  public Health check() {
    AzureSignalR.Status s = azure.status();
    return new Health(
        s.connected(),
        "Azure SignalR Service "
            + azure.options().connectionString().endpoint()
            + ": "
            + s.detail());
  }

  @Override
  public void close() {
    azure.close();
  }
}
