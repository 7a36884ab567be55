package org.jvmchat.server.auth;

import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.JwtBearerAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.IdentitySettings;

/**
 * The chat server's token check: the hub library's {@link JwtBearerAuthenticator} with the HS256
 * {@code JWT_SECRET} and, when configured, the provider of {@code JWT_AUTHORITY} / {@code
 * JWT_JWKS_URL} ({@code JWT_ISSUER}, {@code JWT_AUDIENCE} and the clock skew as the settings say),
 * then the chat's limits on the user id and the display name.
 */
public final class BearerTokens implements BearerTokenAuthenticator.TokenValidator {
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
    HubUser user = jwt.validate(token);
    try {
      ChatLimits.requireUserId("sub", user.id());
      ChatLimits.requireUserName("name", user.name());
    } catch (IllegalArgumentException e) {
      throw new UnauthorizedException("The bearer token's claims are not valid: " + e.getMessage());
    }
    return user;
  }
}
