package org.jvmchat.server.auth;

import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.JwtBearerAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.http.WouldBlockException;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.IdentitySettings;

/**
 * The chat server's token check: the hub library's {@link JwtBearerAuthenticator} with the HS256
 * {@code JWT_SECRET} and, when configured, the provider of {@code JWT_AUTHORITY} / {@code
 * JWT_JWKS_URL} ({@code JWT_ISSUER}, {@code JWT_AUDIENCE} and the clock skew as the settings say),
 * then the chat's limits on the user id and the display name. Checks on the event loop what needs
 * no key-set fetch (HS256 tokens, provider tokens whose key is cached: {@link
 * JwtBearerAuthenticator#tryValidate}).
 */
public final class BearerTokens implements BearerTokenAuthenticator.NonBlockingTokenValidator {
  private final JwtBearerAuthenticator jwt;

  public BearerTokens(ChatSettings settings) {
    IdentitySettings identity = settings.identity();
    this.jwt =
        JwtBearerAuthenticator.builder()
            .hmacSecret(settings.jwtSecret())
            .issuer(settings.jwtIssuer())
            .audience(settings.jwtAudience())
            .clockSkew(settings.clockSkew())
            .authority(identity.authority())
            .jwksUrl(identity.authority() == null ? identity.jwksUrl() : null)
            .build();
  }

  @Override
  public HubUser validate(String token) throws UnauthorizedException {
    return checked(jwt.validate(token));
  }

  @Override
  public HubUser tryValidate(String token) throws UnauthorizedException, WouldBlockException {
    return checked(jwt.tryValidate(token));
  }

  private static HubUser checked(HubUser user) throws UnauthorizedException {
    // Controls and bidirectional overrides are removed: they would let one name pose as another.
    String name = DisplayNames.strip(user.name());
    if (!name.equals(user.name())) {
      user = new HubUser(user.id(), name.isBlank() ? user.id() : name, user.claims());
    }
    try {
      ChatLimits.requireUserId("sub", user.id());
      ChatLimits.requireUserName("name", user.name());
    } catch (IllegalArgumentException e) {
      throw new UnauthorizedException("The bearer token's claims are not valid: " + e.getMessage());
    }
    return user;
  }
}
