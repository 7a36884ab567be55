package org.jvmchat.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.server.auth.JwtTokens;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.IdentitySettings;

/**
 * {@code POST /api/v1/auth/dev-token} {@code {"userId":"alice","name":"Alice"}} answers {@code 200
 * {"accessToken":"<jwt>"}} in Development; in Production it answers 404 like any unknown path.
 * {@code GET /api/v1/auth/config} tells the page how to sign in (dev tokens, OpenID Connect).
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
    server.route("POST", DEV_TOKEN_PATH, Problems.guarded(this::devToken));
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
    return Json.ok(200, body).withHeader("cache-control", "no-cache");
  }

  private HttpResponse devToken(HttpRequest request) {
    if (!settings.isDevelopment()) {
      return HttpResponse.problem(404, "Not Found", "No resource at " + request.path() + ".");
    }
    JsonNode body = Json.objectBody(request);
    String userId = Json.requiredString(body, "userId");
    String name = Json.optionalString(body, "name");
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
    String token = tokens.issue(userId, name, settings.devTokenLifetime());
    return Json.ok(200, Map.of("accessToken", token));
  }
}
