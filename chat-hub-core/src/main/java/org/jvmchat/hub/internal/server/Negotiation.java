package org.jvmchat.hub.internal.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Set;
import org.jvmchat.hub.internal.host.Negotiate;
import org.jvmchat.protocol.negotiate.AvailableTransport;
import org.jvmchat.protocol.negotiate.HttpTransportType;

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
    responses.sendJson(
        r.ctx(),
        r.req(),
        Negotiate.answer(
            r.endpoint(), r.user(), r.query("negotiateVersion"), r.query("useStatefulReconnect")));
  }

  /** The enabled transports in the order clients try them, with their transfer formats. */
  static List<AvailableTransport> transports(Set<HttpTransportType> enabled) {
    return Negotiate.transports(enabled);
  }
}
