package org.jvmchat.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.InMemoryChatStore;
import org.jvmchat.server.ChatServer;
import org.jvmchat.server.backplane.ScaleoutMode;
import org.jvmchat.server.config.ChatSettings;

/** The chat server in this JVM on a free port, with the in-memory store, plus HTTP helpers. */
public final class TestServer implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public final ChatStore store;
  public final ChatServer server;
  public final HttpClient http;
  private final List<TestHubClient> clients = new ArrayList<>();

  public TestServer() {
    this(ChatSettings.builder().port(0).host("127.0.0.1").shutdownGrace(Duration.ofSeconds(2)));
  }

  public TestServer(ChatSettings.Builder settings) {
    this(settings, new InMemoryChatStore());
  }

  /** With {@code store} (closed with the server). */
  public TestServer(ChatSettings.Builder settings, ChatStore store) {
    this.store = store;
    this.server = new ChatServer(settings.build(), store, ScaleoutMode.inProcess()).start();
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public String url() {
    return server.url();
  }

  /** A token for {@code userId} signed with the server's key. */
  public String token(String userId, String name) {
    return server.tokens().issue(userId, name, Duration.ofHours(1));
  }

  /** Connects as {@code userId} and returns once the hub's onConnected has run. */
  public TestHubClient connect(String userId) throws Exception {
    TestHubClient c =
        TestHubClient.connect(http, url(), ChatServer.HUB_PATH, token(userId, displayName(userId)));
    synchronized (clients) {
      clients.add(c);
    }
    return c.awaitConnected();
  }

  public static String displayName(String userId) {
    return Character.toUpperCase(userId.charAt(0)) + userId.substring(1);
  }

  public HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public static JsonNode json(HttpResponse<String> response) throws Exception {
    return MAPPER.readTree(response.body());
  }

  /** Creates a room as {@code userId} through the API and returns its id. */
  public String createRoom(String userId, String name, boolean isPrivate) throws Exception {
    HttpResponse<String> r =
        post(
            "/api/v1/rooms",
            token(userId, displayName(userId)),
            MAPPER.writeValueAsString(java.util.Map.of("name", name, "isPrivate", isPrivate)));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("create room answered " + r.statusCode() + " " + r.body());
    }
    return json(r).get("id").asText();
  }

  @Override
  public void close() {
    synchronized (clients) {
      for (TestHubClient c : clients) {
        c.close();
      }
    }
    server.stop(Duration.ofSeconds(2));
    store.close();
  }
}
