package org.jvmchat.hub.servlet.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.internal.host.ConnectionLayer;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servlet in front of every hub: {@code <hub>/negotiate} and {@code <hub>} (WebSocket upgrades
 * through the container's {@link ServerContainer}, SSE, long polls, sends, DELETE). Authenticates
 * on the container's thread, then hands the request to chat-hub-core's {@link ConnectionLayer}.
 */
public final class HubServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(HubServlet.class);
  private static final String NEGOTIATE = "/negotiate";

  private final transient ServletHost host;

  HubServlet(ServletHost host) {
    this.host = host;
  }

  @Override
  public void init() {
    host.start();
  }

  @Override
  public void destroy() {
    host.stop(Duration.ofSeconds(5));
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    HubEndpoint endpoint = host.endpoint(path);
    boolean negotiate = false;
    if (endpoint == null && path.endsWith(NEGOTIATE)) {
      endpoint = host.endpoint(path.substring(0, path.length() - NEGOTIATE.length()));
      negotiate = endpoint != null;
    }
    if (endpoint == null) {
      text(resp, 404, "Not Found");
      return;
    }
    if (host.stopping()) {
      text(resp, 503, "The server is stopping");
      return;
    }
    HubUser user;
    try {
      user = host.authenticator().authenticate(req);
    } catch (UnauthorizedException e) {
      log.debug("401 for {} {}: {}", req.getMethod(), path, e.getMessage());
      resp.setHeader("WWW-Authenticate", "Bearer");
      text(resp, 401, "Unauthorized");
      return;
    } catch (RuntimeException e) {
      log.warn("Authenticator failed", e);
      text(resp, 500, "Authentication failed");
      return;
    }
    ServletRequestAdapter request = new ServletRequestAdapter(req);
    boolean webSocket =
        !negotiate
            && "GET".equals(req.getMethod())
            && "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
    ConnectionLayer layer = host.layer();
    if (webSocket) {
      // Answered on this thread (refusals) or upgraded: never asynchronous.
      ServletResponseAdapter sync = ServletResponseAdapter.sync(resp);
      boolean opens = ConnectionLayer.opensConnection(request, true);
      if (!layer.admit(endpoint, request, user, opens, sync)) {
        return;
      }
      if (!opens) {
        upgrade(req, resp, endpoint, layer.acceptWebSocket(endpoint, request, user, sync));
        return;
      }
      // The connection this creates holds the admission (released at once if none is created).
      List<ConnectionLayer.WebSocketAccept> accepted = new ArrayList<>(1);
      HubEndpoint hub = endpoint;
      HubUser caller = user;
      hub.runAdmitted(
          caller, () -> accepted.add(layer.acceptWebSocket(hub, request, caller, sync)));
      upgrade(req, resp, hub, accepted.get(0));
      return;
    }
    byte[] body = new byte[0];
    if ("POST".equals(req.getMethod()) && !negotiate) {
      body = readBody(req, resp);
      if (body == null) {
        return;
      }
    }
    ServletResponseAdapter response = ServletResponseAdapter.async(req);
    try {
      if (!layer.admit(endpoint, request, user, negotiate, response)) {
        return;
      }
      if (negotiate) {
        // The connection negotiate creates holds the admission (released if it creates none).
        HubEndpoint hub = endpoint;
        HubUser caller = user;
        hub.runAdmitted(caller, () -> layer.negotiate(hub, request, caller, response));
      } else {
        layer.connection(endpoint, request, user, body, response);
      }
    } catch (RuntimeException e) {
      log.warn("Hub request failed", e);
      response.send(
          500, "text/plain; charset=utf-8", "Internal error".getBytes(StandardCharsets.UTF_8));
    }
  }

  private void upgrade(
      HttpServletRequest req,
      HttpServletResponse resp,
      HubEndpoint endpoint,
      ConnectionLayer.WebSocketAccept accept)
      throws IOException {
    if (accept == null) {
      return; // answered
    }
    Object attribute = getServletContext().getAttribute(ServerContainer.class.getName());
    if (!(attribute instanceof ServerContainer container)) {
      text(resp, 501, "WebSockets are not available in this container");
      return;
    }
    int max = host.maxRequestBodySize();
    ServerEndpointConfig config =
        ServerEndpointConfig.Builder.create(WebSocketEndpoint.class, endpoint.path())
            .configurator(
                new ServerEndpointConfig.Configurator() {
                  @Override
                  public <T> T getEndpointInstance(Class<T> type) {
                    return type.cast(new WebSocketEndpoint(accept, max, host.runtime().executor()));
                  }

                  /**
                   * None, whatever the client offers (browsers and Node's ws offer
                   * permessage-deflate, which Tomcat and Jetty would accept): as the Netty host and
                   * ASP.NET Core's SignalR. Compressed, a flood of repetitive text is a few bytes a
                   * message on the wire, so that a paused connection's socket buffer holds
                   * thousands of messages the client has already let go of; compression also costs
                   * a deflater and an inflater per connection and mixes secrets with client text.
                   */
                  @Override
                  public List<Extension> getNegotiatedExtensions(
                      List<Extension> installed, List<Extension> requested) {
                    return List.of();
                  }
                })
            .build();
    try {
      container.upgradeHttpToWebSocket(req, resp, config, Map.of());
    } catch (DeploymentException e) {
      log.warn("WebSocket upgrade of connection {} failed", accept.connectionId(), e);
      if (!resp.isCommitted()) {
        text(resp, 500, "WebSocket upgrade failed");
      }
    }
  }

  /** The POST body, at most the configured size; null after answering 413. */
  private byte[] readBody(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    int max = host.maxRequestBodySize();
    long declared = req.getContentLengthLong();
    if (declared > max) {
      text(resp, 413, "Request body too large");
      return null;
    }
    try (InputStream in = req.getInputStream()) {
      byte[] body = in.readNBytes(max + 1);
      if (body.length > max) {
        text(resp, 413, "Request body too large");
        return null;
      }
      return body;
    }
  }

  static void text(HttpServletResponse resp, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
