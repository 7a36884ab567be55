package org.jvmchat.server.config;

import static org.jvmchat.persistence.settings.SettingValues.get;
import static org.jvmchat.persistence.settings.SettingValues.wholeNumber;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jvmchat.hub.http.HttpLimits;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.settings.InvalidSettingException;
import org.jvmchat.persistence.settings.SettingValues;

/**
 * Reads {@link ChatSettings}: the environment wins over the JSON file named by {@code CHAT_CONFIG},
 * which wins over the defaults. Unknown JSON keys and values of the wrong type are errors, so a
 * typo never goes unnoticed.
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>environment</th><th>JSON key</th></tr>
 *   <tr><td>PORT</td><td>port</td></tr>
 *   <tr><td>-</td><td>host</td></tr>
 *   <tr><td>CHAT_ENVIRONMENT (alias ASPNETCORE_ENVIRONMENT)</td><td>environment</td></tr>
 *   <tr><td>DATABASE_URL</td><td>databaseUrl</td></tr>
 *   <tr><td>REDIS_URL</td><td>redisUrl</td></tr>
 *   <tr><td>AZURE_SIGNALR_CONNECTION, CHAT_ACCESS_KEY</td><td>-</td></tr>
 *   <tr><td>JWT_SECRET</td><td>jwt.secret</td></tr>
 *   <tr><td>JWT_ISSUER</td><td>jwt.issuer</td></tr>
 *   <tr><td>JWT_AUDIENCE</td><td>jwt.audience</td></tr>
 *   <tr><td>-</td><td>jwt.devTokenLifetime, jwt.clockSkew</td></tr>
 *   <tr><td>JWT_AUTHORITY, JWT_JWKS_URL, OIDC_CLIENT_ID, OIDC_SCOPES</td><td>-</td></tr>
 *   <tr><td>OPENAI_API_KEY</td><td>openai.apiKey</td></tr>
 *   <tr><td>OPENAI_BASE_URL</td><td>openai.baseUrl</td></tr>
 *   <tr><td>OPENAI_MODEL</td><td>openai.model</td></tr>
 *   <tr><td>ASSISTANT_*</td><td>assistant.*</td></tr>
 *   <tr><td>CHAT_ACCESS_CACHE_ROOMS</td><td>accessCacheRooms</td></tr>
 *   <tr><td>ROOM_CREATION_RATE_LIMIT</td><td>protection.roomCreationRateLimit</td></tr>
 *   <tr><td>HEALTH_DETAILS</td><td>protection.healthDetails</td></tr>
 *   <tr><td>HTTP_REQUEST_HEADERS_TIMEOUT, HTTP_REQUEST_BODY_TIMEOUT, HTTP_KEEP_ALIVE_TIMEOUT,
 *       MAX_HTTP_CONNECTIONS, MAX_HTTP_CONNECTIONS_PER_ADDRESS, MAX_UNAUTHENTICATED_BODY_SIZE</td>
 *       <td>protection.requestHeadersTimeout, ... (same names in camel case)</td></tr>
 *   <tr><td>CONNECTION_TOKEN_SECRET, CHAT_INSTANCE_URL, CHAT_INSTANCE_ID</td><td>-</td></tr>
 *   <tr><td>-</td><td>shutdownGrace, corsOrigins, hub.maxMessageSize,
 *       hub.allowStatefulReconnects</td></tr>
 * </table>
 *
 * <p>The store's own tuning variables ({@code CHAT_DATA_DIR}, {@code DB_POOL_SIZE}, ...) are read
 * by {@link StoreOptions#fromEnvironment(Map)}. Values in the environment and durations in the file
 * are read by {@link SettingValues}, the one parser both use: whole numbers, durations ({@code
 * 500ms}, {@code 5s}, {@code 2m}, {@code 12h}, {@code PT5S}, milliseconds) and choices.
 */
public final class SettingsLoader {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> TOP_KEYS =
      Set.of(
          "port",
          "host",
          "environment",
          "databaseUrl",
          "redisUrl",
          "jwt",
          "openai",
          "assistant",
          "shutdownGrace",
          "corsOrigins",
          "hub",
          "accessCacheRooms",
          "protection");
  private static final Set<String> JWT_KEYS =
      Set.of("secret", "issuer", "audience", "devTokenLifetime", "clockSkew");
  private static final Set<String> OPENAI_KEYS = Set.of("apiKey", "baseUrl", "model");
  private static final Set<String> ASSISTANT_KEYS =
      Set.of(
          "systemPrompt",
          "historyMessages",
          "historyCharacters",
          "firstTokenTimeout",
          "idleTimeout",
          "totalTimeout",
          "maxRetries",
          "maxTokens",
          "rateLimit",
          "rateLimitWindow",
          "maxConcurrent");
  private static final Set<String> PROTECTION_KEYS =
      Set.of(
          "roomCreationRateLimit",
          "healthDetails",
          "requestHeadersTimeout",
          "requestBodyTimeout",
          "keepAliveTimeout",
          "maxConnections",
          "maxConnectionsPerAddress",
          "maxUnauthenticatedBodySize",
          "maxQueuedInvocations",
          "maxParallelInvocations",
          "maxQueuedInvocationBytes");
  private static final Set<String> HUB_KEYS = Set.of("maxMessageSize", "allowStatefulReconnects");

  private SettingsLoader() {}

  /** Settings from the process environment. */
  public static ChatSettings load() {
    return load(System.getenv());
  }

  /**
   * Settings from {@code env} (and the file its {@code CHAT_CONFIG} names).
   *
   * @throws SettingsException with one readable line when a value is missing, malformed or out of
   *     range
   */
  public static ChatSettings load(Map<String, String> env) {
    try {
      return read(env);
    } catch (InvalidSettingException e) {
      throw new SettingsException(e.getMessage(), e);
    }
  }

  private static ChatSettings read(Map<String, String> env) {
    ChatSettings.Builder b = ChatSettings.builder();
    AssistantSettings.Builder assistant = AssistantSettings.builder();
    ProtectionSettings.Builder protection = ProtectionSettings.builder();
    String databaseUrl = null;
    String configPath = get(env, "CHAT_CONFIG");
    if (configPath != null) {
      databaseUrl = applyFile(b, assistant, protection, Path.of(configPath));
    }
    String v;
    if ((v = get(env, "PORT")) != null) {
      b.port(wholeNumber("PORT", v));
    }
    ChatEnvironment environment = environment(env);
    if (environment != null) {
      b.environment(environment);
    }
    if ((v = get(env, "DATABASE_URL")) != null) {
      databaseUrl = v;
    }
    if ((v = get(env, "REDIS_URL")) != null) {
      b.redisUrl(v);
    }
    if ((v = get(env, "AZURE_SIGNALR_CONNECTION")) != null) {
      b.azureSignalRConnection(v);
    }
    if ((v = get(env, "CHAT_ACCESS_KEY")) != null) {
      b.chatAccessKey(v);
    }
    if ((v = get(env, "JWT_SECRET")) != null) {
      b.jwtSecret(v);
    }
    if ((v = get(env, "JWT_ISSUER")) != null) {
      b.jwtIssuer(v);
    }
    if ((v = get(env, "JWT_AUDIENCE")) != null) {
      b.jwtAudience(v);
    }
    if ((v = get(env, "OPENAI_API_KEY")) != null) {
      b.openAiApiKey(v);
    }
    if ((v = get(env, "OPENAI_BASE_URL")) != null) {
      b.openAiBaseUrl(v);
    }
    if ((v = get(env, "OPENAI_MODEL")) != null) {
      b.openAiModel(v);
    }
    if ((v = get(env, "CHAT_ACCESS_CACHE_ROOMS")) != null) {
      b.accessCacheRooms(wholeNumber("CHAT_ACCESS_CACHE_ROOMS", v));
    }
    b.instance(
        InstanceSettings.of(
            env.get("CONNECTION_TOKEN_SECRET"),
            get(env, "CHAT_INSTANCE_URL"),
            // Not HOSTNAME: the header is public, the host name is not (issue #27).
            get(env, "CHAT_INSTANCE_ID")));
    b.operations(OperationsSettings.fromEnvironment(env));
    b.identity(IdentitySettings.fromEnvironment(env));
    applyAssistantEnvironment(assistant, env);
    b.assistant(assistant.build());
    if ((v = get(env, "ROOM_CREATION_RATE_LIMIT")) != null) {
      ProtectionSettings.parseRate(protection, "ROOM_CREATION_RATE_LIMIT", v);
    }
    if ((v = get(env, "HEALTH_DETAILS")) != null) {
      protection.healthDetails(
          Boolean.parseBoolean(SettingValues.oneOf("HEALTH_DETAILS", v, "true", "false")));
    }
    if ((v = get(env, "HUB_MAX_PARALLEL_INVOCATIONS")) != null) {
      protection.maxParallelInvocations(wholeNumber("HUB_MAX_PARALLEL_INVOCATIONS", v));
    }
    if ((v = get(env, "HUB_MAX_QUEUED_INVOCATIONS")) != null) {
      protection.maxQueuedInvocations(wholeNumber("HUB_MAX_QUEUED_INVOCATIONS", v));
    }
    if ((v = get(env, "HUB_MAX_QUEUED_INVOCATION_BYTES")) != null) {
      protection.maxQueuedInvocationBytes(wholeNumber("HUB_MAX_QUEUED_INVOCATION_BYTES", v));
    }
    HttpLimits.Builder http = protection.build().httpLimits().toBuilder();
    if ((v = get(env, "HTTP_REQUEST_HEADERS_TIMEOUT")) != null) {
      http.requestHeadersTimeout(SettingValues.duration("HTTP_REQUEST_HEADERS_TIMEOUT", v));
    }
    if ((v = get(env, "HTTP_REQUEST_BODY_TIMEOUT")) != null) {
      http.requestBodyTimeout(SettingValues.duration("HTTP_REQUEST_BODY_TIMEOUT", v));
    }
    if ((v = get(env, "HTTP_KEEP_ALIVE_TIMEOUT")) != null) {
      http.keepAliveTimeout(SettingValues.duration("HTTP_KEEP_ALIVE_TIMEOUT", v));
    }
    if ((v = get(env, "MAX_HTTP_CONNECTIONS")) != null) {
      http.maxConnections(wholeNumber("MAX_HTTP_CONNECTIONS", v));
    }
    if ((v = get(env, "MAX_HTTP_CONNECTIONS_PER_ADDRESS")) != null) {
      http.maxConnectionsPerAddress(wholeNumber("MAX_HTTP_CONNECTIONS_PER_ADDRESS", v));
    }
    if ((v = get(env, "MAX_UNAUTHENTICATED_BODY_SIZE")) != null) {
      http.maxUnauthenticatedBodySize(wholeNumber("MAX_UNAUTHENTICATED_BODY_SIZE", v));
    }
    try {
      protection.httpLimits(http.build());
    } catch (IllegalArgumentException e) {
      throw new SettingsException(e.getMessage(), e);
    }
    b.protection(protection.build());
    try {
      b.store(StoreOptions.fromEnvironment(env).toBuilder().databaseUrl(databaseUrl).build());
    } catch (IllegalArgumentException e) {
      throw new SettingsException(e.getMessage(), e);
    }
    return b.build();
  }

  /**
   * {@code CHAT_ENVIRONMENT}, or its alias {@code ASPNETCORE_ENVIRONMENT} (the name the service
   * this server replaces reads); null when neither is set. Both set to different values is an
   * error: which one was meant cannot be guessed.
   */
  static ChatEnvironment environment(Map<String, String> env) {
    String chat = get(env, "CHAT_ENVIRONMENT");
    String aspNet = get(env, "ASPNETCORE_ENVIRONMENT");
    ChatEnvironment fromChat =
        chat == null ? null : ChatEnvironment.parse("CHAT_ENVIRONMENT", chat);
    ChatEnvironment fromAspNet =
        aspNet == null ? null : ChatEnvironment.parse("ASPNETCORE_ENVIRONMENT", aspNet);
    if (fromChat != null && fromAspNet != null && fromChat != fromAspNet) {
      throw new SettingsException(
          "CHAT_ENVIRONMENT ("
              + chat
              + ") and ASPNETCORE_ENVIRONMENT ("
              + aspNet
              + ") disagree: set one of them, or both to the same value");
    }
    return fromChat != null ? fromChat : fromAspNet;
  }

  private static void applyAssistantEnvironment(
      AssistantSettings.Builder a, Map<String, String> env) {
    String v;
    // The prompt is taken as written (not trimmed); only an unset or empty variable is ignored.
    String prompt = env.get("ASSISTANT_SYSTEM_PROMPT");
    if (prompt != null && !prompt.isEmpty()) {
      a.systemPrompt(prompt);
    }
    if ((v = get(env, "ASSISTANT_HISTORY_MESSAGES")) != null) {
      a.historyMessages(wholeNumber("ASSISTANT_HISTORY_MESSAGES", v));
    }
    if ((v = get(env, "ASSISTANT_HISTORY_CHARACTERS")) != null) {
      a.historyCharacters(wholeNumber("ASSISTANT_HISTORY_CHARACTERS", v));
    }
    if ((v = get(env, "ASSISTANT_FIRST_TOKEN_TIMEOUT")) != null) {
      a.firstTokenTimeout(SettingValues.duration("ASSISTANT_FIRST_TOKEN_TIMEOUT", v));
    }
    if ((v = get(env, "ASSISTANT_IDLE_TIMEOUT")) != null) {
      a.idleTimeout(SettingValues.duration("ASSISTANT_IDLE_TIMEOUT", v));
    }
    if ((v = get(env, "ASSISTANT_TOTAL_TIMEOUT")) != null) {
      a.totalTimeout(SettingValues.duration("ASSISTANT_TOTAL_TIMEOUT", v));
    }
    if ((v = get(env, "ASSISTANT_MAX_RETRIES")) != null) {
      a.maxRetries(wholeNumber("ASSISTANT_MAX_RETRIES", v));
    }
    if ((v = get(env, "ASSISTANT_MAX_TOKENS")) != null) {
      a.maxTokens(wholeNumber("ASSISTANT_MAX_TOKENS", v));
    }
    if ((v = get(env, "ASSISTANT_RATE_LIMIT")) != null) {
      a.rateLimit(wholeNumber("ASSISTANT_RATE_LIMIT", v));
    }
    if ((v = get(env, "ASSISTANT_RATE_LIMIT_WINDOW")) != null) {
      a.rateLimitWindow(SettingValues.duration("ASSISTANT_RATE_LIMIT_WINDOW", v));
    }
    if ((v = get(env, "ASSISTANT_MAX_CONCURRENT")) != null) {
      a.maxConcurrent(wholeNumber("ASSISTANT_MAX_CONCURRENT", v));
    }
  }

  private static void applyAssistantFile(String where, AssistantSettings.Builder a, ObjectNode o) {
    checkKeys(where, "assistant.", o, ASSISTANT_KEYS);
    JsonNode n;
    String p = where + "assistant.";
    if ((n = o.get("systemPrompt")) != null) {
      a.systemPrompt(text(p + "systemPrompt", n));
    }
    if ((n = o.get("historyMessages")) != null) {
      a.historyMessages(intValue(p + "historyMessages", n));
    }
    if ((n = o.get("historyCharacters")) != null) {
      a.historyCharacters(intValue(p + "historyCharacters", n));
    }
    if ((n = o.get("firstTokenTimeout")) != null) {
      a.firstTokenTimeout(duration(p + "firstTokenTimeout", n));
    }
    if ((n = o.get("idleTimeout")) != null) {
      a.idleTimeout(duration(p + "idleTimeout", n));
    }
    if ((n = o.get("totalTimeout")) != null) {
      a.totalTimeout(duration(p + "totalTimeout", n));
    }
    if ((n = o.get("maxRetries")) != null) {
      a.maxRetries(intValue(p + "maxRetries", n));
    }
    if ((n = o.get("maxTokens")) != null) {
      a.maxTokens(intValue(p + "maxTokens", n));
    }
    if ((n = o.get("rateLimit")) != null) {
      a.rateLimit(intValue(p + "rateLimit", n));
    }
    if ((n = o.get("rateLimitWindow")) != null) {
      a.rateLimitWindow(duration(p + "rateLimitWindow", n));
    }
    if ((n = o.get("maxConcurrent")) != null) {
      a.maxConcurrent(intValue(p + "maxConcurrent", n));
    }
  }

  /** Applies the JSON file; returns its {@code databaseUrl} (or null). */
  private static String applyFile(
      ChatSettings.Builder b,
      AssistantSettings.Builder assistant,
      ProtectionSettings.Builder protection,
      Path path) {
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readString(path));
    } catch (NoSuchFileException e) {
      throw new SettingsException("CHAT_CONFIG names a file that does not exist: " + path);
    } catch (JsonProcessingException e) {
      throw new SettingsException(
          "CHAT_CONFIG file "
              + path
              + " is not valid JSON: "
              + e.getOriginalMessage()
              + " (line "
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + ")");
    } catch (IOException e) {
      throw new SettingsException("CHAT_CONFIG file " + path + " cannot be read: " + e);
    }
    if (root == null || !root.isObject()) {
      throw new SettingsException("CHAT_CONFIG file " + path + " must hold a JSON object");
    }
    String where = "CHAT_CONFIG " + path + ": ";
    ObjectNode obj = (ObjectNode) root;
    checkKeys(where, "", obj, TOP_KEYS);
    JsonNode n;
    if ((n = obj.get("port")) != null) {
      b.port(intValue(where + "port", n));
    }
    if ((n = obj.get("host")) != null) {
      b.host(text(where + "host", n));
    }
    if ((n = obj.get("environment")) != null) {
      b.environment(ChatEnvironment.parse(where + "environment", text(where + "environment", n)));
    }
    if ((n = obj.get("redisUrl")) != null && !n.isNull()) {
      b.redisUrl(text(where + "redisUrl", n));
    }
    ObjectNode jwt = object(where, "jwt", obj.get("jwt"));
    if (jwt != null) {
      checkKeys(where, "jwt.", jwt, JWT_KEYS);
      if ((n = jwt.get("secret")) != null) {
        b.jwtSecret(text(where + "jwt.secret", n));
      }
      if ((n = jwt.get("issuer")) != null) {
        b.jwtIssuer(text(where + "jwt.issuer", n));
      }
      if ((n = jwt.get("audience")) != null) {
        b.jwtAudience(text(where + "jwt.audience", n));
      }
      if ((n = jwt.get("devTokenLifetime")) != null) {
        b.devTokenLifetime(duration(where + "jwt.devTokenLifetime", n));
      }
      if ((n = jwt.get("clockSkew")) != null) {
        b.clockSkew(duration(where + "jwt.clockSkew", n));
      }
    }
    ObjectNode openai = object(where, "openai", obj.get("openai"));
    if (openai != null) {
      checkKeys(where, "openai.", openai, OPENAI_KEYS);
      if ((n = openai.get("apiKey")) != null) {
        b.openAiApiKey(text(where + "openai.apiKey", n));
      }
      if ((n = openai.get("baseUrl")) != null) {
        b.openAiBaseUrl(text(where + "openai.baseUrl", n));
      }
      if ((n = openai.get("model")) != null) {
        b.openAiModel(text(where + "openai.model", n));
      }
    }
    if ((n = obj.get("shutdownGrace")) != null) {
      b.shutdownGrace(duration(where + "shutdownGrace", n));
    }
    if ((n = obj.get("corsOrigins")) != null) {
      if (!n.isArray()) {
        throw new SettingsException(where + "corsOrigins must be an array of origins");
      }
      Set<String> origins = new LinkedHashSet<>();
      for (JsonNode o : n) {
        origins.add(text(where + "corsOrigins[]", o));
      }
      b.corsOrigins(origins);
    }
    if ((n = obj.get("accessCacheRooms")) != null) {
      b.accessCacheRooms(intValue(where + "accessCacheRooms", n));
    }
    ObjectNode assistantNode = object(where, "assistant", obj.get("assistant"));
    if (assistantNode != null) {
      applyAssistantFile(where, assistant, assistantNode);
    }
    ObjectNode protectionNode = object(where, "protection", obj.get("protection"));
    if (protectionNode != null) {
      checkKeys(where, "protection.", protectionNode, PROTECTION_KEYS);
      if ((n = protectionNode.get("roomCreationRateLimit")) != null) {
        String name = where + "protection.roomCreationRateLimit";
        ProtectionSettings.parseRate(protection, name, n.isInt() ? n.asText() : text(name, n));
      }
      if ((n = protectionNode.get("healthDetails")) != null) {
        if (!n.isBoolean()) {
          throw new SettingsException(where + "protection.healthDetails must be true or false");
        }
        protection.healthDetails(n.booleanValue());
      }
      HttpLimits.Builder http = HttpLimits.builder();
      String p = where + "protection.";
      if ((n = protectionNode.get("maxParallelInvocations")) != null) {
        protection.maxParallelInvocations(intValue(p + "maxParallelInvocations", n));
      }
      if ((n = protectionNode.get("maxQueuedInvocations")) != null) {
        protection.maxQueuedInvocations(intValue(p + "maxQueuedInvocations", n));
      }
      if ((n = protectionNode.get("maxQueuedInvocationBytes")) != null) {
        protection.maxQueuedInvocationBytes(intValue(p + "maxQueuedInvocationBytes", n));
      }
      if ((n = protectionNode.get("requestHeadersTimeout")) != null) {
        http.requestHeadersTimeout(duration(p + "requestHeadersTimeout", n));
      }
      if ((n = protectionNode.get("requestBodyTimeout")) != null) {
        http.requestBodyTimeout(duration(p + "requestBodyTimeout", n));
      }
      if ((n = protectionNode.get("keepAliveTimeout")) != null) {
        http.keepAliveTimeout(duration(p + "keepAliveTimeout", n));
      }
      if ((n = protectionNode.get("maxConnections")) != null) {
        http.maxConnections(intValue(p + "maxConnections", n));
      }
      if ((n = protectionNode.get("maxConnectionsPerAddress")) != null) {
        http.maxConnectionsPerAddress(intValue(p + "maxConnectionsPerAddress", n));
      }
      if ((n = protectionNode.get("maxUnauthenticatedBodySize")) != null) {
        http.maxUnauthenticatedBodySize(intValue(p + "maxUnauthenticatedBodySize", n));
      }
      try {
        protection.httpLimits(http.build());
      } catch (IllegalArgumentException e) {
        throw new SettingsException(where + e.getMessage(), e);
      }
    }
    ObjectNode hub = object(where, "hub", obj.get("hub"));
    if (hub != null) {
      checkKeys(where, "hub.", hub, HUB_KEYS);
      if ((n = hub.get("maxMessageSize")) != null) {
        b.maxMessageSize(intValue(where + "hub.maxMessageSize", n));
      }
      if ((n = hub.get("allowStatefulReconnects")) != null) {
        if (!n.isBoolean()) {
          throw new SettingsException(where + "hub.allowStatefulReconnects must be true or false");
        }
        b.allowStatefulReconnects(n.booleanValue());
      }
    }
    n = obj.get("databaseUrl");
    return n == null || n.isNull() ? null : text(where + "databaseUrl", n);
  }

  private static void checkKeys(String where, String prefix, ObjectNode node, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw new SettingsException(
            where + "unknown setting '" + prefix + key + "' (known: " + known + ")");
      }
    }
  }

  private static ObjectNode object(String where, String name, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new SettingsException(where + name + " must be a JSON object");
    }
    return (ObjectNode) node;
  }

  private static String text(String name, JsonNode node) {
    if (!node.isTextual()) {
      throw new SettingsException(name + " must be a string");
    }
    return node.textValue();
  }

  private static int intValue(String name, JsonNode node) {
    if (!node.isInt()) {
      throw new SettingsException(name + " must be " + SettingValues.WHOLE_NUMBER);
    }
    return node.intValue();
  }

  private static Duration duration(String name, JsonNode node) {
    if (node.isIntegralNumber()) {
      return Duration.ofMillis(node.longValue());
    }
    return SettingValues.duration(name, text(name, node));
  }
}
