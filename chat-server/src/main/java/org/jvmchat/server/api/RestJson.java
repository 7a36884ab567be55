package org.jvmchat.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.server.chat.ChatException;

/** JSON in and out of the REST routes (dates as ISO-8601 UTC strings). */
public final class RestJson {
  /** Largest JSON request body the REST API reads, in bytes. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private RestJson() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static HttpResponse ok(int status, Object body) {
    try {
      return HttpResponse.json(status, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }

  /**
   * The request body as a JSON object.
   *
   * @throws ChatException 400 when the body is empty, too large, not JSON or not an object
   */
  public static JsonNode objectBody(HttpRequest request) {
    byte[] body = request.body();
    if (body.length == 0) {
      throw ChatException.badInput("The request body must be a JSON object.");
    }
    if (body.length > MAX_BODY_BYTES) {
      throw ChatException.badInput(
          "The request body must not be larger than " + MAX_BODY_BYTES + " bytes.");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (IOException e) {
      throw ChatException.badInput("The request body is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      throw ChatException.badInput("The request body must be a JSON object.");
    }
    return node;
  }

  /** A required string property. */
  public static String requiredString(JsonNode object, String name) {
    JsonNode n = object.get(name);
    if (n == null || n.isNull()) {
      throw ChatException.badInput(name + " is required.");
    }
    if (!n.isTextual()) {
      throw ChatException.badInput(name + " must be a string.");
    }
    return n.textValue();
  }

  /** An optional string property, or {@code null}. */
  public static String optionalString(JsonNode object, String name) {
    JsonNode n = object.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ChatException.badInput(name + " must be a string.");
    }
    return n.textValue();
  }

  /** An optional boolean property. */
  public static boolean optionalBoolean(JsonNode object, String name, boolean defaultValue) {
    JsonNode n = object.get(name);
    if (n == null || n.isNull()) {
      return defaultValue;
    }
    if (!n.isBoolean()) {
      throw ChatException.badInput(name + " must be true or false.");
    }
    return n.booleanValue();
  }
}
