package org.jvmchat.hub.internal.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import org.jvmchat.hub.HubRequestObserver;
import org.jvmchat.hub.HubRequestObserver.Kind;
import org.jvmchat.hub.HubRequestObserver.Observation;

/**
 * Ends the {@link HubRequestObserver} observations of one HTTP connection: sits before the router
 * (only on connections that carried an observed request; none without an observer) and matches
 * responses to requests in order, as HTTP/1.1 answers them. A response ends its request when its
 * last content is written; a 101 (WebSocket) or a streamed response cut off ends it when the socket
 * closes.
 */
final class ObservedRequests extends ChannelDuplexHandler {
  private static final String NAME = "hubRequestObservation";

  /** An entry per request since this handler was added: null for a request not observed. */
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();

  private static final class Entry {
    final Observation observation;
    int status;

    Entry(Observation observation) {
      this.observation = observation;
    }
  }

  /**
   * Called by the router for every request on a connection: starts an observation of a hub request,
   * and keeps a place in the order for every other one once this connection has the handler.
   *
   * @param route the hub request's route, or null for a request that is not one
   */
  static void request(
      ChannelHandlerContext router,
      HubRequestObserver observer,
      FullHttpRequest req,
      String hubPath,
      String route) {
    ObservedRequests handler = (ObservedRequests) router.pipeline().get(NAME);
    if (route == null) {
      if (handler != null) {
        handler.pending.add(new Entry(null));
      }
      return;
    }
    Observation observation;
    try {
      observation = observer.started(new ObservedRequest(req, hubPath, route));
    } catch (RuntimeException e) {
      observation = null; // an observer's failure must not fail the request
    }
    if (handler == null) {
      if (observation == null) {
        return;
      }
      handler = new ObservedRequests();
      router.pipeline().addBefore(router.name(), NAME, handler);
    }
    handler.pending.add(new Entry(observation));
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    Entry head = pending.peek();
    if (head != null) {
      if (msg instanceof HttpResponse response) {
        int status = response.status().code();
        if (status >= 200 || status == 101) {
          head.status = status;
        }
      }
      if (msg instanceof LastHttpContent && head.status != 101 && head.status != 0) {
        pending.poll();
        end(head);
      }
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    for (Entry e; (e = pending.poll()) != null; ) {
      end(e);
    }
    super.channelInactive(ctx);
  }

  private static void end(Entry e) {
    if (e.observation != null) {
      try {
        e.observation.ended(e.status);
      } catch (RuntimeException ignored) {
        // an observer's failure must not break the connection
      }
    }
  }

  /** The observed view of a request: read at once, it keeps no reference to the request. */
  private record ObservedRequest(
      String hubPath,
      String method,
      String route,
      Kind kind,
      io.netty.handler.codec.http.HttpHeaders headers)
      implements HubRequestObserver.Request {
    ObservedRequest(FullHttpRequest req, String hubPath, String route) {
      this(hubPath, req.method().name(), route, kindOf(req, hubPath, route), req.headers().copy());
    }

    @Override
    public String header(String name) {
      return headers.get(name);
    }

    private static Kind kindOf(FullHttpRequest req, String hubPath, String route) {
      HttpMethod m = req.method();
      if (!route.equals(hubPath)) {
        return Kind.NEGOTIATE;
      }
      if (m == HttpMethod.GET) {
        if (req.headers()
            .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
          return Kind.WEB_SOCKETS;
        }
        String accept = req.headers().get(HttpHeaderNames.ACCEPT);
        return accept != null && accept.contains("text/event-stream")
            ? Kind.SERVER_SENT_EVENTS
            : Kind.LONG_POLLING;
      }
      if (m == HttpMethod.POST) {
        return Kind.SEND;
      }
      return m == HttpMethod.DELETE ? Kind.CLOSE : Kind.OTHER;
    }
  }
}
