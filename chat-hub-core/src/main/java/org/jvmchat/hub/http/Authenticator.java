package org.jvmchat.hub.http;

import org.jvmchat.hub.HubUser;

/**
 * Recognises the user of a request. Runs for every hub request (negotiate and every transport
 * request) and every plain route, on the blocking executor: it may block. An authenticator whose
 * check is usually CPU only implements {@link NonBlockingAuthenticator} as well, and hub requests
 * are then authenticated on the event loop whenever it can answer without blocking.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * @return the user, or {@code null} when the request carries no credentials
   * @throws UnauthorizedException when it carries credentials that are not valid
   */
  HubUser authenticate(HttpRequest request) throws UnauthorizedException;

  /** No users: everyone is anonymous (answered on the event loop). */
  Authenticator ANONYMOUS =
      new NonBlockingAuthenticator() {
        @Override
        public HubUser authenticate(HttpRequest request) {
          return null;
        }

        @Override
        public HubUser tryAuthenticate(HttpRequest request) {
          return null;
        }
      };
}
