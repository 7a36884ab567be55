package org.jvmchat.hub.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.body;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.request;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.ConnectionAdmission;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubRequestObserver;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.internal.hub.EchoHub;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * The two hooks of hub requests: an admission is held by the connection negotiate creates (or
 * released at once when it creates none), and a {@link HubRequestObserver} sees each hub request
 * start and end, and nothing else.
 */
class HubRequestHooksTest {
  final List<String> events = new CopyOnWriteArrayList<>();
  EmbeddedHttp http;

  @AfterEach
  void close() {
    if (http != null) {
      http.close();
    }
  }

  private ConnectionAdmission recording(boolean admit) {
    return new ConnectionAdmission() {
      @Override
      public HttpResponse admit(String hubPath, HttpRequest request) {
        events.add("admit");
        return admit ? null : HttpResponse.problem(429, "Too Many Requests", "no");
      }

      @Override
      public void admitted(String hubPath, String connectionId, HubUser user) {
        events.add("admitted " + connectionId);
      }

      @Override
      public void released(String hubPath, String connectionId, HubUser user) {
        events.add("released " + connectionId);
      }
    };
  }

  private void server(ConnectionAdmission admission, HubRequestObserver observer) {
    HubServer.Builder builder =
        HubServer.builder()
            .hub(HubMapping.builder("/hubs/echo", EchoHub::new).admission(admission).build())
            .route("GET", "/plain", r -> HttpResponse.text(200, "plain"));
    if (observer != null) {
      builder.requestObserver(observer);
    }
    http = new EmbeddedHttp(builder);
  }

  @Test
  void theConnectionNegotiateCreatesHoldsTheAdmission() {
    server(recording(true), null);
    String body =
        body(http.exchange(request(HttpMethod.POST, "/hubs/echo/negotiate?negotiateVersion=1")));
    String id = NegotiateResponse.parse(body.getBytes()).connectionId();
    assertThat(events).containsExactly("admit", "admitted " + id);
  }

  @Test
  void aNegotiateThatCreatesNoConnectionReleasesItsAdmissionAtOnce() {
    server(recording(true), null);
    assertThat(
            body(
                http.exchange(
                    request(HttpMethod.POST, "/hubs/echo/negotiate?negotiateVersion=-1"))))
        .contains("error");
    assertThat(events).containsExactly("admit", "released null");
  }

  @Test
  void aRefusalHoldsNothing() {
    server(recording(false), null);
    assertThat(http.exchange(request(HttpMethod.POST, "/hubs/echo/negotiate")).status().code())
        .isEqualTo(429);
    assertThat(events).containsExactly("admit");
  }

  @Test
  void theObserverSeesHubRequestsFromStartToEndAndNothingElse() {
    server(
        recording(true),
        request -> {
          events.add(
              "started "
                  + request.method()
                  + " "
                  + request.route()
                  + " "
                  + request.kind()
                  + " "
                  + request.header("traceparent"));
          return status -> events.add("ended " + status);
        });
    body(http.exchange(request(HttpMethod.GET, "/plain")));
    body(http.exchange(request(HttpMethod.POST, "/hubs/echo/negotiate", "traceparent", "00-x")));
    body(http.exchange(request(HttpMethod.GET, "/plain")));
    body(http.exchange(request(HttpMethod.POST, "/hubs/echo?id=unknown")));
    assertThat(events)
        .filteredOn(e -> e.startsWith("started") || e.startsWith("ended"))
        .containsExactly(
            "started POST /hubs/echo/negotiate NEGOTIATE 00-x",
            "ended 200",
            "started POST /hubs/echo SEND null",
            "ended 404");
  }

  @Test
  void withoutAnObserverNothingIsAddedToThePipeline() {
    server(recording(true), null);
    body(http.exchange(request(HttpMethod.POST, "/hubs/echo/negotiate")));
    assertThat(http.channel.pipeline().names()).noneMatch(n -> n.contains("Observation"));
  }
}
