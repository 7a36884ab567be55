package org.jvmchat.spring.boot.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmchat.hub.HubUser;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;

/**
 * The default {@link HubUserMapper}: id = {@link Authentication#getName()}, display name = the
 * {@code name} claim, else {@code preferred_username}, else the id; claims = the token's claims (a
 * JWT's, an introspected token's, an OpenID Connect user's) plus {@code authorities}; anonymous and
 * unauthenticated requests map to {@code null}.
 */
public final class DefaultHubUserMapper implements HubUserMapper {
  private static final boolean OAUTH2_CORE =
      isPresent("org.springframework.security.oauth2.core.ClaimAccessor");

  @Override
  public HubUser toHubUser(Authentication authentication) {
    if (authentication == null
        || !authentication.isAuthenticated()
        || authentication instanceof AnonymousAuthenticationToken) {
      return null;
    }
    String id = authentication.getName();
    if (id == null || id.isEmpty()) {
      return null;
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    if (OAUTH2_CORE) {
      claims.putAll(OAuth2Claims.of(authentication));
    }
    if (!authentication.getAuthorities().isEmpty()) {
      claims.put(
          "authorities",
          authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList());
    }
    claims.values().removeIf(v -> v == null);
    Object name = claims.get("name");
    if (!(name instanceof String)) {
      name = claims.get("preferred_username");
    }
    return new HubUser(id, name instanceof String s && !s.isEmpty() ? s : id, claims);
  }

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, DefaultHubUserMapper.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Kept apart so that spring-security-oauth2-core is loaded only when it is present. */
  private static final class OAuth2Claims {
    static Map<String, Object> of(Authentication authentication) {
      Object principal = authentication.getPrincipal();
      Object credentials = authentication.getCredentials();
      if (principal instanceof ClaimAccessor c) {
        return c.getClaims();
      }
      if (credentials instanceof ClaimAccessor c) {
        return c.getClaims();
      }
      if (principal instanceof OAuth2AuthenticatedPrincipal p) {
        return p.getAttributes();
      }
      return Map.of();
    }
  }
}
