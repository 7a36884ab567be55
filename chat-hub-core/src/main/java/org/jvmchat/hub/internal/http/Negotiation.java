package org.jvmchat.hub.internal.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jvmchat.hub.internal.HubEndpoint;
import org.jvmchat.hub.internal.Ids;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.AvailableTransport;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * {@code POST <hub>/negotiate} (SIGNALR.md §1.2): creates a connection and answers its id, its
 * token (version 1; version 0 uses the id as the token) and the enabled transports. A version above
 * 1 is answered with 1; a negative or non-integer version gets 200 with an {@code error} field, as
 * ASP.NET Core answers; another method gets 405.
 */
final class Negotiation {
  private final HttpResponses responses;

  Negotiation(HttpResponses responses) {
    this.responses = responses;
  }

  void negotiate(HubRequest r) {
    if (r.req().method() != HttpMethod.POST) {
      responses.sendText(
          r.ctx(), r.req(), HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed");
      return;
    }
    String requested = r.query("negotiateVersion");
    int version = 0;
    if (requested != null) {
      try {
        version = Integer.parseInt(requested);
      } catch (NumberFormatException e) {
        error(r, "The client requested a non-integer protocol version.");
        return;
      }
      if (version < 0) {
        error(
            r,
            "The client requested version '"
                + version
                + "', but the server does not support this version.");
        return;
      }
      version = Math.min(version, 1);
    }
    HubEndpoint endpoint = r.endpoint();
    org.jvmchat.hub.spi.NegotiateRedirect redirect =
        endpoint.lifetimeManager().negotiateRedirect(r.user());
    if (redirect != null) {
      responses.sendJson(
          r.ctx(),
          r.req(),
          NegotiateResponse.redirect(redirect.url(), redirect.accessToken()).toJson());
      return;
    }
    boolean stateful =
        "true".equalsIgnoreCase(r.query("useStatefulReconnect"))
            && endpoint.options().allowStatefulReconnects();
    String id = Ids.newId();
    String token = version >= 1 ? endpoint.newToken(id, r.user(), stateful) : id;
    endpoint.newConnection(id, token, r.user(), stateful);
    responses.sendJson(
        r.ctx(),
        r.req(),
        NegotiateResponse.connection(
                version, id, token, transports(endpoint.options().transports()), stateful)
            .toJson());
  }

  private void error(HubRequest r, String message) {
    responses.sendJson(r.ctx(), r.req(), NegotiateResponse.error(message).toJson());
  }

  /** The enabled transports in the order clients try them, with their transfer formats. */
  static List<AvailableTransport> transports(Set<HttpTransportType> enabled) {
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
