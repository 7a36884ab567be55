package org.jvmchat.hub.http;

import org.jvmchat.hub.HubUser;

/**
 * An {@link Authenticator} that can often answer without blocking: when its check is CPU only (an
 * HS256 signature, a signature whose keys are already cached), the server authenticates hub
 * requests (negotiate, WebSocket, SSE, long polls) on the connection's event loop, with no hop to
 * the blocking executor and back.
 *
 * <p>The contract is "try on the event loop, else hop": for every hub request the server first
 * calls {@link #tryAuthenticate} on the event loop. It must never block — no I/O, no lock held
 * across I/O, no waiting — and must be cheap (it runs between the reads of other connections). When
 * answering needs blocking work it throws {@link WouldBlockException}, and the server calls {@link
 * #authenticate} on the executor (bounded as for every authenticator: 503 when full). Both must
 * give the same answer for the same request. A {@link org.jvmchat.hub.ConnectionAdmission} still
 * runs on the executor, after the user is known. Plain routes call {@link #authenticate} on the
 * executor, as they run there anyway.
 */
public interface NonBlockingAuthenticator extends Authenticator {
  /**
   * Authenticates without blocking, on the event loop.
   *
   * @return the user, or {@code null} when the request carries no credentials
   * @throws UnauthorizedException when it carries credentials that are not valid
   * @throws WouldBlockException when the answer needs blocking work ({@link #authenticate} then
   *     runs on the executor)
   */
  HubUser tryAuthenticate(HttpRequest request) throws UnauthorizedException, WouldBlockException;
}
