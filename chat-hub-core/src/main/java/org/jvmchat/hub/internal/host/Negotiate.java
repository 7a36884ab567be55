package org.jvmchat.hub.internal.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.connection.Ids;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.jvmchat.hub.spi.NegotiateRedirect;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.AvailableTransport;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * {@code POST <hub>/negotiate} (SIGNALR.md §1.2), whatever the host: creates a connection and
 * answers its id, its token (version 1; version 0 uses the id as the token) and the enabled
 * transports. A version above 1 is answered with 1; a negative or non-integer version gets 200 with
 * an {@code error} field, as ASP.NET Core answers. (Another method gets 405 from the host.)
 */
public final class Negotiate {
  private Negotiate() {}

  /**
   * The JSON body (UTF-8) of the 200 answer to a negotiate of {@code user} (null: anonymous).
   *
   * @param negotiateVersion the {@code negotiateVersion} query parameter, or null
   * @param useStatefulReconnect the {@code useStatefulReconnect} query parameter, or null
   */
  public static byte[] answer(
      HubEndpoint endpoint, HubUser user, String negotiateVersion, String useStatefulReconnect) {
    int version = 0;
    if (negotiateVersion != null) {
      try {
        version = Integer.parseInt(negotiateVersion);
      } catch (NumberFormatException e) {
        return NegotiateResponse.error("The client requested a non-integer protocol version.")
            .toJson();
      }
      if (version < 0) {
        return NegotiateResponse.error(
                "The client requested version '"
                    + version
                    + "', but the server does not support this version.")
            .toJson();
      }
      version = Math.min(version, 1);
    }
    NegotiateRedirect redirect = endpoint.lifetimeManager().negotiateRedirect(user);
    if (redirect != null) {
      return NegotiateResponse.redirect(redirect.url(), redirect.accessToken()).toJson();
    }
    boolean stateful =
        "true".equalsIgnoreCase(useStatefulReconnect)
            && endpoint.options().allowStatefulReconnects();
    String id = Ids.newId();
    String token = version >= 1 ? endpoint.newToken(id, user, stateful) : id;
    endpoint.newConnection(id, token, user, stateful);
    return NegotiateResponse.connection(
            version, id, token, transports(endpoint.options().transports()), stateful)
        .toJson();
  }

  /** The enabled transports in the order clients try them, with their transfer formats. */
  public static List<AvailableTransport> transports(Set<HttpTransportType> enabled) {
    List<AvailableTransport> transports = new ArrayList<>();
    if (enabled.contains(HttpTransportType.WebSockets)) {
      transports.add(
          new AvailableTransport(
              HttpTransportType.WebSockets, List.of(TransferFormat.Text, TransferFormat.Binary)));
    }
    if (enabled.contains(HttpTransportType.ServerSentEvents)) {
      transports.add(
          new AvailableTransport(HttpTransportType.ServerSentEvents, List.of(TransferFormat.Text)));
    }
    if (enabled.contains(HttpTransportType.LongPolling)) {
      transports.add(
          new AvailableTransport(
              HttpTransportType.LongPolling, List.of(TransferFormat.Text, TransferFormat.Binary)));
    }
    return transports;
  }
}
