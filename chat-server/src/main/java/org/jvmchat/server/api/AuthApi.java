package org.jvmchat.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.server.auth.DisplayNames;
import org.jvmchat.server.auth.JwtTokens;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.IdentitySettings;

/**
 * {@code POST /api/v1/auth/dev-token} {@code {"userId":"alice","name":"Alice"}} answers {@code 200
 * {"accessToken":"<jwt>"}} in Development. In Production the route does not exist, so every method
 * answers 404 like any unknown path (a registered POST-only route would make {@code GET} answer 405
 * and reveal it). {@code GET /api/v1/auth/config} tells the page how to sign in (dev tokens, OpenID
 * Connect).
 */
public final class AuthApi {
  public static final String DEV_TOKEN_PATH = RoomsApi.PREFIX + "/auth/dev-token";
  public static final String CONFIG_PATH = RoomsApi.PREFIX + "/auth/config";

  private final ChatSettings settings;
  private final JwtTokens tokens;

  public AuthApi(ChatSettings settings, JwtTokens tokens) {
    this.settings = settings;
    this.tokens = tokens;
  }

  public void register(HubServer.Builder server) {
    register(server, java.util.function.UnaryOperator.identity());
  }

  /** Registers the routes, the dev-token route behind {@code limit} (e.g. a per-IP rate limit). */
  public void register(
      HubServer.Builder server,
      java.util.function.UnaryOperator<org.jvmchat.hub.http.HttpHandler> limit) {
    if (settings.isDevelopment()) {
      server.route("POST", DEV_TOKEN_PATH, limit.apply(Problems.guarded(this::devToken)));
    }
    server.route("GET", CONFIG_PATH, Problems.guarded(this::config));
  }

  /**
   * What the page needs to sign in, without credentials: {@code {"environment", "devTokens",
   * "oidc": {"authority", "clientId", "scopes"} or null}}.
   */
  private HttpResponse config(HttpRequest request) {
    IdentitySettings identity = settings.identity();
    Map<String, Object> oidc = null;
    if (identity.clientId() != null) {
      oidc = new LinkedHashMap<>();
      oidc.put("authority", identity.authority());
      oidc.put("clientId", identity.clientId());
      oidc.put("scopes", identity.scopes());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("environment", settings.environment().displayName());
    body.put("devTokens", settings.isDevelopment());
    body.put("oidc", oidc);
    return RestJson.ok(200, body).withHeader("cache-control", "no-cache");
  }

  private HttpResponse devToken(HttpRequest request) {
    JsonNode body = RestJson.objectBody(request);
    String userId = RestJson.requiredString(body, "userId");
    String name = RestJson.optionalString(body, "name");
    if (name == null) {
      name = userId;
    }
    try {
      ChatLimits.requireUserId("userId", userId);
      ChatLimits.requireUserName("name", name);
    } catch (IllegalArgumentException e) {
      throw ChatException.badInput(e.getMessage() + ".");
    }
    if (userId.isBlank()) {
      throw ChatException.badInput("userId must not be blank.");
    }
    if (name.isBlank()) {
      throw ChatException.badInput("name must not be blank.");
    }
    if (DisplayNames.unsafe(name) || DisplayNames.unsafe(userId)) {
      throw ChatException.badInput(
          (DisplayNames.unsafe(name) ? "name" : "userId")
              + " must not contain control characters or bidirectional formatting characters"
              + " (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069).");
    }
    String token = tokens.issue(userId, name, settings.devTokenLifetime());
    return RestJson.ok(200, Map.of("accessToken", token));
  }
}
