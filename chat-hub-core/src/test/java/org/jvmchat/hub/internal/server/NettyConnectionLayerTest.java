package org.jvmchat.hub.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.body;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.request;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.internal.hub.EchoHub;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * The status codes of requests on a connection (SIGNALR.md §1.3) that need no open socket: missing
 * and unknown ids, another user's connection, disabled transports, sends before a transport, the
 * first long poll.
 */
class NettyConnectionLayerTest {

  EmbeddedHttp http;

  @BeforeEach
  void build() {
    http =
        new EmbeddedHttp(
            HubServer.builder()
                .hub("/hubs/echo", EchoHub::new)
                .hub(
                    "/hubs/wsonly",
                    EchoHub::new,
                    HubOptions.builder()
                        .transports(EnumSet.of(HttpTransportType.WebSockets))
                        .build())
                .authenticator(new BearerTokenAuthenticator(t -> HubUser.of(t, t))));
  }

  @AfterEach
  void close() {
    http.close();
  }

  private String token(String hub, String... headers) {
    FullHttpResponse r =
        http.exchange(request(HttpMethod.POST, hub + "/negotiate?negotiateVersion=1", headers));
    assertThat(r.status().code()).isEqualTo(200);
    return NegotiateResponse.parse(body(r).getBytes()).connectionToken();
  }

  private FullHttpResponse exchange(HttpMethod method, String uri, String... headers) {
    return http.exchange(request(method, uri, headers));
  }

  @Test
  void requestsWithoutAnIdGet400() {
    for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE}) {
      FullHttpResponse r = exchange(m, "/hubs/echo");
      assertThat(r.status().code()).as(m.name()).isEqualTo(400);
      assertThat(body(r)).isEqualTo("Connection ID required");
    }
  }

  @Test
  void requestsWithAnUnknownIdGet404() {
    for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE}) {
      FullHttpResponse r = exchange(m, "/hubs/echo?id=nope");
      assertThat(r.status().code()).as(m.name()).isEqualTo(404);
      assertThat(body(r)).isEqualTo("No Connection with that ID");
    }
  }

  @Test
  void anotherMethodGets405() {
    FullHttpResponse r = exchange(HttpMethod.PUT, "/hubs/echo?id=" + token("/hubs/echo"));
    assertThat(r.status().code()).isEqualTo(405);
    assertThat(body(r)).isEqualTo("Method not allowed");
  }

  @Test
  void aSendBeforeAnyTransportGets400() {
    FullHttpResponse r = exchange(HttpMethod.POST, "/hubs/echo?id=" + token("/hubs/echo"));
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(body(r)).isEqualTo("The connection has no transport yet: start one before sending.");
  }

  @Test
  void deleteOnAConnectionWithoutLongPollingGets400() {
    FullHttpResponse r = exchange(HttpMethod.DELETE, "/hubs/echo?id=" + token("/hubs/echo"));
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(body(r)).isEqualTo("Cannot terminate this connection using the DELETE endpoint.");
  }

  @Test
  void anotherUsersConnectionGets403AndTheOwnerGetsIn() {
    String token = token("/hubs/echo", "Authorization", "Bearer alice");
    FullHttpResponse anonymous = exchange(HttpMethod.POST, "/hubs/echo?id=" + token);
    assertThat(anonymous.status().code()).isEqualTo(403);
    assertThat(body(anonymous)).isEqualTo("Forbidden");
    FullHttpResponse bob =
        exchange(HttpMethod.POST, "/hubs/echo?id=" + token, "Authorization", "Bearer bob");
    assertThat(bob.status().code()).isEqualTo(403);
    body(bob);
    FullHttpResponse alice =
        exchange(HttpMethod.POST, "/hubs/echo?id=" + token, "Authorization", "Bearer alice");
    assertThat(alice.status().code()).isEqualTo(400); // past the user check: no transport yet
    body(alice);
  }

  @Test
  void disabledTransportsGet404() {
    String token = token("/hubs/wsonly");
    FullHttpResponse sse =
        exchange(HttpMethod.GET, "/hubs/wsonly?id=" + token, "Accept", "text/event-stream");
    assertThat(sse.status().code()).isEqualTo(404);
    assertThat(body(sse))
        .isEqualTo("ServerSentEvents transport not supported by this end point type");
    FullHttpResponse poll = exchange(HttpMethod.GET, "/hubs/wsonly?id=" + token);
    assertThat(poll.status().code()).isEqualTo(404);
    assertThat(body(poll)).isEqualTo("LongPolling transport not supported by this end point type");
  }

  @Test
  void theFirstLongPollAnswersAtOnceAndTheConnectionThenTakesSends() {
    String token = token("/hubs/echo");
    FullHttpResponse first = exchange(HttpMethod.GET, "/hubs/echo?id=" + token);
    assertThat(first.status().code()).isEqualTo(200);
    assertThat(first.headers().get(HttpHeaderNames.CONTENT_TYPE))
        .isEqualTo("application/octet-stream");
    assertThat(body(first)).isEmpty();
    FullHttpResponse sse =
        exchange(HttpMethod.GET, "/hubs/echo?id=" + token, "Accept", "text/event-stream");
    assertThat(sse.status().code()).isEqualTo(400);
    assertThat(body(sse)).isEqualTo("Cannot change transports mid-connection");
    FullHttpResponse delete = exchange(HttpMethod.DELETE, "/hubs/echo?id=" + token);
    assertThat(delete.status().code()).isEqualTo(202);
    body(delete);
  }
}
