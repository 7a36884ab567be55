package org.jvmchat.hub.http;

import org.jvmchat.hub.HubUser;

/**
 * Reads a bearer token from {@code Authorization: Bearer <token>} or, for WebSocket and Server-Sent
 * Events requests where browsers cannot set headers, from the {@code access_token} query parameter,
 * and hands it to a validator. The server hands the query parameter to authenticators only on
 * {@code GET} requests to a hub's path (WebSocket, SSE, long polls): negotiate, POST and every
 * plain route see the request without it, so a token in a REST URL is never accepted.
 *
 * <p>A {@link NonBlockingAuthenticator}: a request without a token is answered on the event loop,
 * and a token too when the validator is a {@link NonBlockingTokenValidator} that can check it
 * without blocking; otherwise the validator runs on the executor.
 */
public final class BearerTokenAuthenticator implements NonBlockingAuthenticator {
  /** Turns a token into a user, or throws when it is not valid. May block. */
  @FunctionalInterface
  public interface TokenValidator {
    HubUser validate(String token) throws UnauthorizedException;
  }

  /**
   * A validator that can often check a token without blocking (see {@link NonBlockingAuthenticator}
   * for the contract).
   */
  public interface NonBlockingTokenValidator extends TokenValidator {
    /**
     * Checks the token without blocking, on the event loop.
     *
     * @throws UnauthorizedException when the token is not valid
     * @throws WouldBlockException when checking needs blocking work ({@link #validate} then runs on
     *     the executor)
     */
    HubUser tryValidate(String token) throws UnauthorizedException, WouldBlockException;
  }

  private final TokenValidator validator;

  public BearerTokenAuthenticator(TokenValidator validator) {
    this.validator = validator;
  }

  @Override
  public HubUser authenticate(HttpRequest request) throws UnauthorizedException {
    String token = token(request);
    return token == null ? null : validator.validate(token);
  }

  @Override
  public HubUser tryAuthenticate(HttpRequest request)
      throws UnauthorizedException, WouldBlockException {
    String token = token(request);
    if (token == null) {
      return null;
    }
    if (validator instanceof NonBlockingTokenValidator nonBlocking) {
      return nonBlocking.tryValidate(token);
    }
    throw WouldBlockException.INSTANCE;
  }

  /** The bearer token of a request, or {@code null}. */
  public static String token(HttpRequest request) {
    String header = request.header("authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = header.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    String query = request.query("access_token");
    return query == null || query.isEmpty() ? null : query;
  }
}
