package org.jvmchat.hub.internal.server;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpLimits;
import org.jvmchat.hub.http.HttpRoute;
import org.jvmchat.hub.internal.hub.HubEndpoint;

/**
 * What the HTTP handlers need from the server: the hub endpoints, the plain routes, the executor
 * that authentication and routes run on, the authenticator, CORS and the instance header, the
 * largest request body, the forwarder of other instances' connections, and whether the server is
 * stopping. Built once per server; shared by every channel.
 */
public final class HttpServerContext {
  private final List<HubEndpoint> endpoints;
  private final RouteTable routes;
  private final ExecutorService executor;
  private final Authenticator authenticator;
  private final HttpResponses responses;
  private final int maxRequestBodySize;
  private final ConnectionForwarder forwarder;
  private final BooleanSupplier stopping;
  private final HttpLimits httpLimits;
  private final ConnectionLimiter connectionLimiter;

  /**
   * @param endpoints the mapped hubs, in mapping order
   * @param forwarder forwards requests for connections held by another instance; null without
   *     signed connection tokens
   * @param instanceId the value of {@code HubServer.INSTANCE_HEADER}, or null for none
   * @param stopping true once the server is stopping (negotiate then answers 503)
   */
  public HttpServerContext(
      List<HubEndpoint> endpoints,
      List<HttpRoute> routes,
      ExecutorService executor,
      Authenticator authenticator,
      Set<String> corsOrigins,
      String instanceId,
      int maxRequestBodySize,
      ConnectionForwarder forwarder,
      BooleanSupplier stopping,
      HttpLimits httpLimits) {
    this.endpoints = endpoints;
    this.routes = new RouteTable(routes);
    this.executor = executor;
    this.authenticator = authenticator;
    this.responses = new HttpResponses(new CorsPolicy(corsOrigins), instanceId);
    this.maxRequestBodySize = maxRequestBodySize;
    this.forwarder = forwarder;
    this.stopping = stopping;
    this.httpLimits = httpLimits;
    this.connectionLimiter = new ConnectionLimiter(httpLimits);
  }

  /** Timeouts, connection limits, the largest body read without credentials. */
  HttpLimits httpLimits() {
    return httpLimits;
  }

  ConnectionLimiter connectionLimiter() {
    return connectionLimiter;
  }

  List<HubEndpoint> endpoints() {
    return endpoints;
  }

  RouteTable routes() {
    return routes;
  }

  ExecutorService executor() {
    return executor;
  }

  Authenticator authenticator() {
    return authenticator;
  }

  HttpResponses responses() {
    return responses;
  }

  /** Largest POST body (aggregator limit) and largest WebSocket frame. */
  int maxRequestBodySize() {
    return maxRequestBodySize;
  }

  /** Null without signed connection tokens. */
  ConnectionForwarder forwarder() {
    return forwarder;
  }

  boolean isStopping() {
    return stopping.getAsBoolean();
  }
}
