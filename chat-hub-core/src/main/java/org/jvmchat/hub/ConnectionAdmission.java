package org.jvmchat.hub;

import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;

/**
 * Decides whether a request may start a new hub connection, and hears when connections of the hub
 * open and close: the hook for per-user connection caps, per-IP rate limits and the like. Set per
 * hub with {@link HubMapping.Builder#admission(ConnectionAdmission)}.
 *
 * <p>{@link #admit} is asked for every {@code POST <hub>/negotiate} and every {@code GET <hub>}
 * without a connection token (a WebSocket that skips negotiation), after authentication and before
 * the connection is created; never for requests on an existing connection. It runs on the server's
 * executor (never an event loop), so it may block briefly, for example on a Redis round trip.
 *
 * <p>An admission is a reservation: whatever {@link #admit} counted is held by the request it
 * admitted until exactly one of these ends it, so that a cap stays exact while negotiations are in
 * flight (negotiated, not yet connected):
 *
 * <ul>
 *   <li>{@link #released} with a null connection id: no connection was created (negotiate answered
 *       an error or a redirect, or the request failed);
 *   <li>{@link #admitted} (the connection created for the request), then {@link #released} with its
 *       id: it ended without completing the SignalR handshake (its connection token expired unused
 *       after the disconnect timeout, or its transport closed first);
 *   <li>{@link #admitted}, {@link #connected}, then {@link #disconnected}: it completed the
 *       handshake and later closed.
 * </ul>
 *
 * <p>{@link #connected} and {@link #disconnected} are also called, as a pair, for connections this
 * server did not admit (a connection negotiated by another instance sharing the connection token
 * key and opened here). These callbacks run on any thread, at most once each per connection, and
 * must not block.
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

  /**
   * The connection {@code connectionId} was created for a request {@link #admit} admitted (on the
   * event loop, right after negotiate or a WebSocket that skips it created it): it now holds the
   * admission.
   */
  default void admitted(String hubPath, String connectionId, HubUser user) {}

  /**
   * A connection of {@code user} (null when anonymous) completed its handshake; one that {@link
   * #admitted} reported, or one negotiated by another instance.
   */
  default void connected(String hubPath, String connectionId, HubUser user) {}

  /** A connection that {@link #connected} reported has ended. */
  default void disconnected(String hubPath, String connectionId, HubUser user) {}

  /**
   * An admitted request will never be a connection that completed its handshake: {@code
   * connectionId} is null when no connection was created for it, else the id {@link #admitted}
   * reported, whose token expired unused or whose transport closed before the handshake. Ends the
   * admission as {@link #disconnected} ends a connected one.
   */
  default void released(String hubPath, String connectionId, HubUser user) {}
}
