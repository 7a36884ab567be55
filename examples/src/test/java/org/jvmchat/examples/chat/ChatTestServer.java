package org.jvmchat.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jvmchat.persistence.InMemoryChatStore;
import org.jvmchat.server.ChatServer;
import org.jvmchat.server.backplane.ScaleoutMode;
import org.jvmchat.server.config.ChatSettings;

/**
 * The reference chat server in the test JVM on a free port (Development, in-memory store, no
 * backplane: one instance), with the REST calls a client makes: dev tokens and rooms.
 */
public final class ChatTestServer implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final InMemoryChatStore store = new InMemoryChatStore();
  private final ChatServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public ChatTestServer() {
    server =
        new ChatServer(
                ChatSettings.builder()
                    .port(0)
                    .host("127.0.0.1")
                    .shutdownGrace(Duration.ofSeconds(2))
                    .build(),
                store,
                ScaleoutMode.inProcess())
            .start();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return server.url();
  }

  public String hubUrl() {
    return url() + ChatServer.HUB_PATH;
  }

  /** A token from {@code POST /api/v1/auth/dev-token}, as a user of the server gets one. */
  public String devToken(String userId, String name) throws Exception {
    JsonNode r = post("/api/v1/auth/dev-token", null, Map.of("userId", userId, "name", name), 200);
    return r.get("accessToken").asText();
  }

  /** Creates a room through the API and returns its id. */
  public String createRoom(String token, String name, boolean isPrivate) throws Exception {
    return post("/api/v1/rooms", token, Map.of("name", name, "isPrivate", isPrivate), 201)
        .get("id")
        .asText();
  }

  /** The id of the room called {@code name} among those {@code userId} can see. */
  public String roomIdNamed(String userId, String name) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url() + "/api/v1/rooms"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + devToken(userId, userId))
            .GET()
            .build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    for (JsonNode room : MAPPER.readTree(r.body())) {
      if (room.get("name").asText().equals(name)) {
        return room.get("id").asText();
      }
    }
    throw new AssertionError("no room " + name + " in " + r.body());
  }

  private JsonNode post(String path, String token, Object body, int expected) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return MAPPER.readTree(r.body());
  }

  @Override
  public void close() {
    server.stop(Duration.ofSeconds(2));
    store.close();
  }
}
