package org.jvmchat.hub.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Servlet host's adapters on a real container, with plain HTTP and WebSocket clients (the Node
 * tests drive the same containers with the official client): the async responses, the SSE stream on
 * non-blocking output, held long polls, the programmatic WebSocket upgrade, sends from outside a
 * hub, authentication from the container, and a graceful stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerHostContract {
  static final String HANDSHAKE = "{\"protocol\":\"json\",\"version\":1}\u001e";

  final HttpClient http = HttpClient.newHttpClient();
  TestContainers.Started container;

  abstract TestContainers.Started start() throws Exception;

  @BeforeAll
  void startContainer() throws Exception {
    container = start();
  }

  @AfterAll
  void stopContainer() throws Exception {
    container.close();
  }

  String hub() {
    return container.baseUrl() + "/hubs/test";
  }

  HttpResponse<String> send(String method, String url, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String negotiate() throws Exception {
    HttpResponse<String> r = send("POST", hub() + "/negotiate?negotiateVersion=1", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    return r.body().replaceAll(".*\"connectionToken\":\"([^\"]+)\".*", "$1");
  }

  @Test
  void longPollingOverAsyncServletResponses() throws Exception {
    String token = negotiate();
    String url = hub() + "?id=" + token;
    assertThat(send("GET", url, null).statusCode()).isEqualTo(200);
    assertThat(send("POST", url, HANDSHAKE).statusCode()).isEqualTo(200);
    assertThat(send("GET", url, null).body()).isEqualTo("{}\u001e");
    // A poll held until a message comes from outside any hub.
    var held =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    assertThat(held.isDone()).isFalse();
    container.hubs().hubContext("/hubs/test").clients().all().send("Notice", "from outside");
    HttpResponse<String> answer = held.get(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.headers().firstValue("cache-control")).hasValue("no-cache, no-store");
    assertThat(answer.body())
        .isEqualTo("{\"type\":1,\"target\":\"Notice\",\"arguments\":[\"from outside\"]}\u001e");
    // A large answer (written on a container thread, not the connection's).
    String big = "y".repeat(30_000); // under the 32 KiB message limit, over the direct-write size
    assertThat(
            send(
                    "POST",
                    url,
                    "{\"type\":1,\"invocationId\":\"1\",\"target\":\"echo\",\"arguments\":[\""
                        + big
                        + "\"]}\u001e")
                .statusCode())
        .isEqualTo(200);
    assertThat(send("GET", url, null).body())
        .isEqualTo("{\"type\":3,\"invocationId\":\"1\",\"result\":\"" + big + "\"}\u001e");
    assertThat(send("DELETE", url, null).statusCode()).isEqualTo(202);
  }

  /**
   * The next SSE event's data line (its blank line read too), skipping the keep-alive Pings the hub
   * may send at any time.
   */
  private static String nextEventSkippingPings(BufferedReader lines) throws IOException {
    while (true) {
      String data = lines.readLine();
      assertThat(lines.readLine()).isEmpty();
      if (!"data: {\"type\":6}\u001e".equals(data)) {
        return data;
      }
    }
  }

  @Test
  void serverSentEventsOnNonBlockingOutput() throws Exception {
    String token = negotiate();
    String url = hub() + "?id=" + token;
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo(":");
      assertThat(send("POST", url, HANDSHAKE).statusCode()).isEqualTo(200);
      assertThat(lines.readLine()).isEqualTo("data: {}\u001e");
      assertThat(lines.readLine()).isEmpty();
      // A message with a line break is one event with two data lines.
      container.hubs().hubContext("/hubs/test").clients().all().send("Notice", "a\nb");
      assertThat(nextEventSkippingPings(lines))
          .isEqualTo("data: {\"type\":1,\"target\":\"Notice\",\"arguments\":[\"a\\nb\"]}\u001e");
    }
  }

  @Test
  void webSocketUpgradedByTheServletWithoutNegotiate() throws Exception {
    Messages messages = new Messages();
    WebSocket ws =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(hub().replace("http://", "ws://")), messages)
            .get(10, TimeUnit.SECONDS);
    ws.sendText(HANDSHAKE, true).get(5, TimeUnit.SECONDS);
    await().until(() -> messages.received.contains("{}\u001e"));
    ws.sendText(
            "{\"type\":1,\"invocationId\":\"1\",\"target\":\"echo\",\"arguments\":[\"ws\"]}\u001e",
            true)
        .get(5, TimeUnit.SECONDS);
    await().until(() -> messages.text().contains("\"result\":\"ws\""));
    ws.abort();
  }

  /**
   * Issue #20: Tomcat and Jetty accept permessage-deflate when a client offers it (browsers and
   * Node's ws do); compressed, a flood of repetitive invocations took a few bytes a message on the
   * wire, so that a paused connection's socket buffer held thousands of them and the client held
   * none back. The host negotiates no extension, as the Netty host and ASP.NET Core (the flood
   * itself: src/test/node/flood.test.mjs).
   */
  @Test
  void webSocketUpgradeNegotiatesNoExtensionWhenTheClientOffersCompression() throws Exception {
    URI uri = URI.create(hub());
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET "
              + uri.getPath()
              + " HTTP/1.1\r\n"
              + "Host: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\n"
              + "Upgrade: websocket\r\n"
              + "Connection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Version: 13\r\n"
              + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String status = in.readLine();
      List<String> headers = new java.util.ArrayList<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        headers.add(line.toLowerCase(java.util.Locale.ROOT));
      }
      assertThat(status).startsWith("HTTP/1.1 101");
      assertThat(headers).anyMatch(h -> h.startsWith("upgrade:"));
      assertThat(headers).noneMatch(h -> h.startsWith("sec-websocket-extensions:"));
    }
  }

  @Test
  void anonymousRequestsToAHubThatRequiresAUserGet401() throws Exception {
    String secure = container.baseUrl() + "/hubs/secure";
    HttpResponse<String> anonymous = send("POST", secure + "/negotiate?negotiateVersion=1", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Bearer");
    HttpResponse<String> alice =
        send("POST", secure + "/negotiate?negotiateVersion=1", null, "Authorization", "Bearer a");
    assertThat(alice.statusCode()).isEqualTo(200);
  }

  @Test
  void aGracefulStopClosesEveryClientWithAllowReconnectThenAnswers503() throws Exception {
    try (TestContainers.Started own = start()) {
      Messages messages = new Messages();
      WebSocket ws =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create(own.baseUrl().replace("http://", "ws://") + "/hubs/test"), messages)
              .get(10, TimeUnit.SECONDS);
      ws.sendText(HANDSHAKE, true).get(5, TimeUnit.SECONDS);
      await().until(() -> messages.received.contains("{}\u001e"));
      assertThat(own.hubs().connectionCount()).isEqualTo(1);
      own.hubs().stop(Duration.ofSeconds(5));
      await().until(() -> messages.text().contains("{\"type\":7,\"allowReconnect\":true}"));
      await().until(() -> messages.closed);
      assertThat(own.hubs().connectionCount()).isZero();
      HttpResponse<String> after =
          send("POST", own.baseUrl() + "/hubs/test/negotiate?negotiateVersion=1", null);
      assertThat(after.statusCode()).isEqualTo(503);
    }
  }

  /** What a WebSocket client received. */
  static final class Messages implements WebSocket.Listener {
    final List<String> received = new CopyOnWriteArrayList<>();
    final StringBuilder partial = new StringBuilder();
    volatile boolean closed;

    String text() {
      return String.join("", received);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed = true;
      return null;
    }
  }
}
