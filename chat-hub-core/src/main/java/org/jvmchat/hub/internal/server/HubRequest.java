package org.jvmchat.hub.internal.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.hub.HubEndpoint;

/**
 * An authenticated request for a hub endpoint, on the channel's event loop.
 *
 * @param user the authenticated user, or null (anonymous)
 */
record HubRequest(
    ChannelHandlerContext ctx,
    FullHttpRequest req,
    QueryStringDecoder uri,
    HubEndpoint endpoint,
    HubUser user) {

  /** The first value of a query parameter, its name matched case-insensitively; or null. */
  String query(String name) {
    for (Map.Entry<String, List<String>> e : uri.parameters().entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  /** The connection token ({@code id} query parameter), or null. */
  String token() {
    return query("id");
  }
}
