package org.jvmchat.load.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The few REST calls the chat server needs before a run (never timed): dev tokens (Development
 * environment) and rooms. The JDK's HttpClient: this is setup, not load.
 */
public final class ChatApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  public ChatApi(URI base) {
    this.base = base;
  }

  /** Tokens for users {@code <userPrefix>0 .. <userPrefix><n-1>}, at most 16 requests in flight. */
  public List<String> devTokens(int n, String userPrefix) throws IOException, InterruptedException {
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<String>> fs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      String user = userPrefix + i;
      CompletableFuture<String> f =
          post(
                  "/api/v1/auth/dev-token",
                  "{\"userId\":\"" + user + "\",\"name\":\"" + user + "\"}",
                  null)
              .thenApply(body -> field(body, "accessToken"));
      f.whenComplete((t, e) -> inFlight.release());
      fs.add(f);
    }
    List<String> out = new ArrayList<>(n);
    for (CompletableFuture<String> f : fs) {
      out.add(join(f));
    }
    return out;
  }

  /** Creates a public room and returns its id. */
  public String createRoom(String token, String name) throws IOException {
    String body =
        join(post("/api/v1/rooms", "{\"name\":\"" + name + "\",\"isPrivate\":false}", token));
    return field(body, "id");
  }

  private CompletableFuture<String> post(String path, String json, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> {
              if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                    "POST " + path + " answered " + r.statusCode() + ": " + r.body());
              }
              return r.body();
            });
  }

  private static String field(String body, String name) {
    try {
      JsonNode n = JSON.readTree(body).get(name);
      if (n == null || n.isNull()) {
        throw new IllegalStateException("no '" + name + "' in " + body);
      }
      return n.asText();
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }

  private static <T> T join(CompletableFuture<T> f) throws IOException {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }
}
