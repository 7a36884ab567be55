package org.jvmchat.server.config;

import java.net.URI;
import java.util.Map;

/**
 * Tokens from an OpenID Connect provider, beside the HS256 {@code JWT_SECRET}: {@code
 * JWT_AUTHORITY} (the issuer; keys from its discovery document, and tokens must carry it as {@code
 * iss}) or {@code JWT_JWKS_URL} (keys straight from a JWK set); and what the web page needs to sign
 * in with the provider (authorization code flow with PKCE): {@code OIDC_CLIENT_ID} and {@code
 * OIDC_SCOPES}. Validated; blank means unset.
 *
 * @param authority the issuer URL, or null
 * @param jwksUrl a JWK set URL, or null
 * @param clientId the page's public client id at the provider, or null (no provider sign-in)
 * @param scopes the scopes the page asks for, space-separated
 */
public record IdentitySettings(String authority, String jwksUrl, String clientId, String scopes) {
  public static final String DEFAULT_SCOPES = "openid profile";
  private static final IdentitySettings NONE = new IdentitySettings(null, null, null, null);

  public IdentitySettings {
    authority = url("JWT_AUTHORITY", authority);
    jwksUrl = url("JWT_JWKS_URL", jwksUrl);
    clientId = blankToNull(clientId);
    scopes = blankToNull(scopes) == null ? DEFAULT_SCOPES : scopes.strip();
    if (clientId != null && authority == null) {
      throw new SettingsException(
          "OIDC_CLIENT_ID needs JWT_AUTHORITY (the page signs in with that provider)");
    }
  }

  /** No provider: HS256 tokens only. */
  public static IdentitySettings none() {
    return NONE;
  }

  /**
   * From {@code JWT_AUTHORITY}, {@code JWT_JWKS_URL}, {@code OIDC_CLIENT_ID}, {@code OIDC_SCOPES}.
   */
  public static IdentitySettings fromEnvironment(Map<String, String> env) {
    return new IdentitySettings(
        env.get("JWT_AUTHORITY"),
        env.get("JWT_JWKS_URL"),
        env.get("OIDC_CLIENT_ID"),
        env.get("OIDC_SCOPES"));
  }

  /** Whether tokens from a provider are accepted. */
  public boolean hasProvider() {
    return authority != null || jwksUrl != null;
  }

  /** The provider's origin ({@code scheme://host:port}) the page talks to, or null. */
  public String authorityOrigin() {
    if (authority == null) {
      return null;
    }
    URI u = URI.create(authority);
    return u.getScheme() + "://" + u.getRawAuthority();
  }

  private static String url(String name, String value) {
    String v = blankToNull(value);
    if (v == null) {
      return null;
    }
    try {
      URI u = URI.create(v);
      if (!"https".equalsIgnoreCase(u.getScheme()) && !"http".equalsIgnoreCase(u.getScheme())
          || u.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
    } catch (IllegalArgumentException e) {
      throw new SettingsException(name + " must be an http(s) URL (was " + v + ")");
    }
    return v;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
