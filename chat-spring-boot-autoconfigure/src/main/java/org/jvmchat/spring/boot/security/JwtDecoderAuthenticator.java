package org.jvmchat.spring.boot.security;

import java.util.Objects;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.UnauthorizedException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * Authenticates hub requests with the application's {@link JwtDecoder} bean (Spring Security's
 * resource server: {@code spring.security.oauth2.resourceserver.jwt.*}): the bearer token of the
 * {@code Authorization} header, or of the {@code access_token} query parameter that the SignalR
 * clients send on WebSocket and Server-Sent Events requests (browsers cannot set headers there).
 * The decoded {@link Jwt} goes through a {@link JwtAuthenticationConverter} (the application's bean
 * when it has one) and the {@link HubUserMapper}. An invalid or expired token is answered 401.
 */
public final class JwtDecoderAuthenticator implements Authenticator {
  private final JwtDecoder decoder;
  private final JwtAuthenticationConverter converter;
  private final HubUserMapper mapper;

  public JwtDecoderAuthenticator(
      JwtDecoder decoder, JwtAuthenticationConverter converter, HubUserMapper mapper) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.converter = converter == null ? new JwtAuthenticationConverter() : converter;
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  @Override
  public HubUser authenticate(HttpRequest request) throws UnauthorizedException {
    String token = BearerTokenAuthenticator.token(request);
    if (token == null) {
      return null;
    }
    Jwt jwt;
    try {
      jwt = decoder.decode(token);
    } catch (JwtException e) {
      throw new UnauthorizedException("The bearer token is not valid: " + e.getMessage(), e);
    }
    AbstractAuthenticationToken authentication = converter.convert(jwt);
    HubUser user = mapper.toHubUser(authentication);
    if (user == null) {
      throw new UnauthorizedException("The bearer token names no user");
    }
    return user;
  }
}
