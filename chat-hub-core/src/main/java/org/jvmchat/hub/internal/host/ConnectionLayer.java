package org.jvmchat.hub.internal.host;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jvmchat.hub.ConnectionAdmission;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.internal.connection.Ids;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.jvmchat.hub.internal.hub.ServerConnection;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGNALR.md §1.2 and §1.3 over the {@link HostRequest} / {@link HostResponse} / {@link
 * HostWebSocket} seam, as ASP.NET Core's {@code HttpConnectionDispatcher}: negotiate; on {@code
 * <hub>?id=}, GET is a WebSocket, an SSE stream or a long poll, POST sends to a connection without
 * a WebSocket, DELETE ends a long-polling connection; the status codes and texts are the Netty
 * host's. Called on the host's request threads (which may block: a Servlet container's); each
 * connection's state lives on one executor of {@code loops}, taken in turn.
 *
 * <p>Connection tokens are this instance's: a request for a connection this instance does not hold
 * gets 404 (a host in front of several instances needs session affinity).
 */
public final class ConnectionLayer {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLayer.class);
  private static final byte[] EMPTY = new byte[0];
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";

  private final EventExecutorGroup loops;

  /**
   * @param loops the executors connections live on (one per core is plenty: they only parse, queue
   *     and write without blocking)
   */
  public ConnectionLayer(EventExecutorGroup loops) {
    this.loops = loops;
  }

  static void text(HostResponse response, int status, String text) {
    response.send(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Checks that {@code user} may use the hub: 401 (with {@code WWW-Authenticate: Bearer}) for an
   * anonymous request to a hub that requires a user; for a request that {@code opens} a connection,
   * the hub's {@link ConnectionAdmission}, whose refusal is the answer.
   *
   * @return true to go on; false when {@code response} was answered
   */
  public boolean admit(
      HubEndpoint endpoint,
      HostRequest request,
      HubUser user,
      boolean opens,
      HostResponse response) {
    if (user == null && endpoint.mapping().requireAuthenticatedUser()) {
      unauthorized(response);
      return false;
    }
    ConnectionAdmission admission = endpoint.mapping().admission();
    if (!opens || admission == null) {
      return true;
    }
    HttpResponse refusal;
    try {
      refusal = admission.admit(endpoint.path(), request.toHttpRequest().withUser(user));
    } catch (RuntimeException e) {
      log.warn("Connection admission failed", e);
      refusal = HttpResponse.text(503, "Connection admission failed");
    }
    if (refusal == null) {
      return true;
    }
    send(response, refusal);
    return false;
  }

  /** Answers with a route-style response (a refusal, a problem). */
  public static void send(HostResponse response, HttpResponse answer) {
    String contentType = null;
    List<String> headers = new ArrayList<>();
    for (Map.Entry<String, String> h : answer.headers().entrySet()) {
      if (h.getKey().equalsIgnoreCase("content-type")) {
        contentType = h.getValue();
      } else {
        headers.add(h.getKey());
        headers.add(h.getValue());
      }
    }
    response.send(answer.status(), contentType, answer.body(), headers.toArray(new String[0]));
  }

  /** 401 with {@code WWW-Authenticate: Bearer}. */
  public static void unauthorized(HostResponse response) {
    response.send(
        401, TEXT, "Unauthorized".getBytes(StandardCharsets.UTF_8), "WWW-Authenticate", "Bearer");
  }

  /** Whether a request on {@code <hub>} opens a new connection (a WebSocket without a token). */
  public static boolean opensConnection(HostRequest request, boolean webSocket) {
    String token = request.query("id");
    return webSocket && (token == null || token.isEmpty());
  }

  // ------------------------------------------------------------------ negotiate

  /** {@code <hub>/negotiate}, after {@link #admit}. */
  public void negotiate(HubEndpoint endpoint, HostRequest request, HubUser user, HostResponse r) {
    if (!"POST".equals(request.method())) {
      text(r, 405, "Method not allowed");
      return;
    }
    r.send(
        200,
        JSON,
        Negotiate.answer(
            endpoint,
            user,
            request.query("negotiateVersion"),
            request.query("useStatefulReconnect")));
  }

  // ------------------------------------------------------------------ <hub>?id=

  /**
   * A request on {@code <hub>} other than a WebSocket upgrade, after {@link #admit}: an SSE stream
   * or a long poll (GET), a send (POST, with its {@code body}), the end of a long-polling
   * connection (DELETE).
   */
  public void connection(
      HubEndpoint endpoint, HostRequest request, HubUser user, byte[] body, HostResponse r) {
    switch (request.method()) {
      case "GET" -> {
        String accept = request.header("Accept");
        if (accept != null && accept.contains("text/event-stream")) {
          serverSentEvents(endpoint, request, user, r);
        } else {
          longPoll(endpoint, request, user, r);
        }
      }
      case "POST" -> send(endpoint, request, user, body, r);
      case "DELETE" -> delete(endpoint, request, user, r);
      default -> text(r, 405, "Method not allowed");
    }
  }

  private void send(
      HubEndpoint endpoint, HostRequest request, HubUser user, byte[] body, HostResponse r) {
    ServerConnection c = lookup(endpoint, request, user, r);
    if (c == null) {
      return;
    }
    if (c.transportType() == HttpTransportType.WebSockets) {
      text(r, 405, "POST requests are not allowed for WebSocket connections.");
      return;
    }
    if (c.transportType() == null) {
      text(r, 400, "The connection has no transport yet: start one before sending.");
      return;
    }
    // Answered once the bytes were taken in: while the connection's invocation queue is at its
    // bound, the POST waits, and the client (which sends one POST at a time) with it.
    if (!c.receive(ByteBuffer.wrap(body), () -> r.send(200, TEXT, EMPTY))) {
      text(r, 404, "No Connection with that ID");
    }
  }

  private void delete(HubEndpoint endpoint, HostRequest request, HubUser user, HostResponse r) {
    ServerConnection c = lookup(endpoint, request, user, r);
    if (c == null) {
      return;
    }
    if (c.transportType() != HttpTransportType.LongPolling) {
      text(r, 400, "Cannot terminate this connection using the DELETE endpoint.");
      return;
    }
    r.send(202, TEXT, EMPTY);
    c.deleteLongPolling();
  }

  /** The connection of the request's token, if it is open and the request's user may use it. */
  private static ServerConnection lookup(
      HubEndpoint endpoint, HostRequest request, HubUser user, HostResponse r) {
    String token = request.query("id");
    if (token == null || token.isEmpty()) {
      text(r, 400, "Connection ID required");
      return null;
    }
    ServerConnection c = endpoint.find(token);
    if (c == null || c.state() == ServerConnection.State.CLOSED) {
      text(r, 404, "No Connection with that ID");
      return null;
    }
    if (c.user() != null && (user == null || !c.user().id().equals(user.id()))) {
      text(r, 403, "Forbidden");
      return null;
    }
    return c;
  }

  private static boolean transportEnabled(
      HubEndpoint endpoint, HttpTransportType type, HostResponse r) {
    if (endpoint.options().transports().contains(type)) {
      return true;
    }
    text(r, 404, type.name() + " transport not supported by this end point type");
    return false;
  }

  private static boolean sameTransport(ServerConnection c, HttpTransportType type, HostResponse r) {
    HttpTransportType current = c.claimedTransport();
    if (current != null && current != type) {
      text(r, 400, "Cannot change transports mid-connection");
      return false;
    }
    return true;
  }

  private void serverSentEvents(
      HubEndpoint endpoint, HostRequest request, HubUser user, HostResponse r) {
    if (!transportEnabled(endpoint, HttpTransportType.ServerSentEvents, r)) {
      return;
    }
    ServerConnection c = lookup(endpoint, request, user, r);
    if (c == null || !sameTransport(c, HttpTransportType.ServerSentEvents, r)) {
      return;
    }
    // Claimed atomically: requests of one connection may arrive on several threads at once.
    if (c.state() != ServerConnection.State.NEW
        || !c.claimFirstTransport(HttpTransportType.ServerSentEvents)) {
      text(r, 409, "Connection already in use");
      return;
    }
    HostResponse.HostStream stream =
        r.openStream(
            200,
            "text/event-stream",
            "Cache-Control",
            "no-cache,no-store",
            "Pragma",
            "no-cache",
            "Content-Encoding",
            "identity");
    EventExecutor loop = loops.next();
    HostServerSentEventsTransport transport =
        new HostServerSentEventsTransport(loop, stream, c, c.outbound());
    // Attach before the client can see the stream open: its first POST follows at once.
    c.attach(transport);
    loop.execute(transport::open);
  }

  private void longPoll(HubEndpoint endpoint, HostRequest request, HubUser user, HostResponse r) {
    if (!transportEnabled(endpoint, HttpTransportType.LongPolling, r)) {
      return;
    }
    ServerConnection c = lookup(endpoint, request, user, r);
    if (c == null || !sameTransport(c, HttpTransportType.LongPolling, r)) {
      return;
    }
    if (c.state() == ServerConnection.State.NEW
        && c.claimFirstTransport(HttpTransportType.LongPolling)) {
      EventExecutor loop = loops.next();
      HostLongPollingTransport lp =
          new HostLongPollingTransport(c, c.outbound(), loop, endpoint.options().longPollTimeout());
      c.attach(lp);
      // The first poll only starts the transport; the executor runs this after the attach.
      loop.execute(
          () -> {
            c.setPollActive(false);
            r.send(200, "application/octet-stream", EMPTY);
          });
      return;
    }
    if (c.firstTransport() instanceof HostLongPollingTransport lp) {
      lp.poll(r);
    } else {
      // A first poll of this connection on another thread is still starting the transport.
      text(r, 409, "Connection already in use");
    }
  }

  // ------------------------------------------------------------------ WebSockets

  /**
   * A WebSocket upgrade request on {@code <hub>}, after {@link #admit}: decides whether it may
   * proceed (a new connection without a token, a negotiated connection, or a stateful reconnect).
   *
   * @return the accepted connection, which the host opens once the upgrade succeeded; null when
   *     {@code r} was answered instead (404, 409, 204...)
   */
  public WebSocketAccept acceptWebSocket(
      HubEndpoint endpoint, HostRequest request, HubUser user, HostResponse r) {
    if (!transportEnabled(endpoint, HttpTransportType.WebSockets, r)) {
      return null;
    }
    String token = request.query("id");
    if (token == null || token.isEmpty()) {
      String id = Ids.newId();
      // skipNegotiation: version 0, the id is the token
      return new WebSocketAccept(endpoint.newConnection(id, id, user, false), false);
    }
    ServerConnection c = lookup(endpoint, request, user, r);
    if (c == null || !sameTransport(c, HttpTransportType.WebSockets, r)) {
      return null;
    }
    if (c.state() == ServerConnection.State.NEW
        && c.claimFirstTransport(HttpTransportType.WebSockets)) {
      return new WebSocketAccept(c, false);
    }
    if (c.isStateful() && !c.isClosing()) {
      return new WebSocketAccept(c, true);
    }
    if (c.isStatefulNegotiated() && c.state() == ServerConnection.State.INACTIVE) {
      r.send(204, null, EMPTY);
      return null;
    }
    text(r, 409, "Connection already in use");
    return null;
  }

  /** A WebSocket the layer accepted; the host opens it once its upgrade succeeded. */
  public final class WebSocketAccept {
    private final ServerConnection connection;
    private final boolean reconnect;

    private WebSocketAccept(ServerConnection connection, boolean reconnect) {
      this.connection = connection;
      this.reconnect = reconnect;
    }

    /**
     * The upgrade succeeded: the socket carries the connection from now on (a stateful reconnect
     * replaces the socket that dropped). Returns what the host tells about the socket.
     */
    public HostWebSocket.Listener open(HostWebSocket socket) {
      HostWebSocketTransport t =
          new HostWebSocketTransport(loops.next(), socket, connection, connection.outbound());
      if (reconnect) {
        connection.reattach(t);
      } else {
        connection.attach(t);
      }
      return t;
    }

    /** The upgrade failed: a connection created for it is dropped by its disconnect timeout. */
    public String connectionId() {
      return connection.connectionId();
    }
  }
}
