package org.jvmchat.hub;

import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;

/**
 * Decides whether a request may start a new hub connection, and hears when connections of the hub
 * open and close: the hook for per-user connection caps, per-IP rate limits and the like. Set per
 * hub with {@link HubServer.HubMapping.Builder#admission(ConnectionAdmission)}.
 *
 * <p>{@link #admit} is asked for every {@code POST <hub>/negotiate} and every {@code GET <hub>}
 * without a connection token (a WebSocket that skips negotiation), after authentication and before
 * the connection is created; never for requests on an existing connection. It runs on the server's
 * executor (never an event loop), so it may block briefly, for example on a Redis round trip.
 * {@link #connected} and {@link #disconnected} are called once each per connection that completed
 * the SignalR handshake, in that order, on any thread; they must not block.
 *
 * <p>Admission counts connections as they complete the handshake, so negotiations that run at the
 * same moment for the same user may each be admitted before either connection counts.
 */
public interface ConnectionAdmission {

  /**
   * Whether {@code request} may open a connection to the hub at {@code hubPath}.
   *
   * @param request the HTTP request, with its authenticated {@link HttpRequest#user()} (or null for
   *     an anonymous one) and its {@link HttpRequest#remoteAddress()}
   * @return null to admit; else the response to send instead, e.g. {@link HttpResponse#problem(int,
   *     String, String)} with status 429 and a {@code Retry-After} header
   */
  HttpResponse admit(String hubPath, HttpRequest request);

  /** A connection of {@code user} (null when anonymous) completed its handshake. */
  default void connected(String hubPath, String connectionId, HubUser user) {}

  /** A connection that {@link #connected} reported has ended. */
  default void disconnected(String hubPath, String connectionId, HubUser user) {}
}
