package org.jvmchat.hub.http;

import org.jvmchat.hub.HubUser;

/**
 * Recognises the user of a request. Runs for every hub request (negotiate and every transport
 * request) and every plain route, on the blocking executor.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * @return the user, or {@code null} when the request carries no credentials
   * @throws UnauthorizedException when it carries credentials that are not valid
   */
  HubUser authenticate(HttpRequest request) throws UnauthorizedException;

  /** No users: everyone is anonymous. */
  Authenticator ANONYMOUS = request -> null;
}
