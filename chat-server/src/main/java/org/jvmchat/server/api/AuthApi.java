package org.jvmchat.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.server.auth.JwtTokens;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.config.ChatSettings;

/**
 * {@code POST /api/v1/auth/dev-token} {@code {"userId":"alice","name":"Alice"}} answers {@code 200
 * {"accessToken":"<jwt>"}} in Development; in Production it answers 404 like any unknown path.
 */
public final class AuthApi {
  public static final String DEV_TOKEN_PATH = RoomsApi.PREFIX + "/auth/dev-token";

  private final ChatSettings settings;
  private final JwtTokens tokens;

  public AuthApi(ChatSettings settings, JwtTokens tokens) {
    this.settings = settings;
    this.tokens = tokens;
  }

  public void register(HubServer.Builder server) {
    register(server, java.util.function.UnaryOperator.identity());
  }

  /** Registers the route behind {@code limit} (e.g. a per-IP rate limit). */
  public void register(
      HubServer.Builder server,
      java.util.function.UnaryOperator<org.jvmchat.hub.http.HttpHandler> limit) {
    server.route("POST", DEV_TOKEN_PATH, limit.apply(Problems.guarded(this::devToken)));
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
