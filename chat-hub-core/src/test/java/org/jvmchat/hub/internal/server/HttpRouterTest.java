package org.jvmchat.hub.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.body;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.request;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.internal.hub.EchoHub;
import org.jvmchat.hub.internal.hub.SameThreadExecutor;

/** The router on an embedded channel: plain routes, CORS, hub authentication, the pipeline. */
class HttpRouterTest {
  static final String ORIGIN = "https://good.example";

  EmbeddedHttp http;

  @BeforeEach
  void build() {
    http =
        new EmbeddedHttp(
            HubServer.builder()
                .hub("/hubs/echo", EchoHub::new)
                .hub(
                    HubMapping.builder("/hubs/secure", EchoHub::new)
                        .requireAuthenticatedUser(true)
                        .build())
                .route("GET", "/health", req -> HttpResponse.json(200, "{\"status\":\"ok\"}"))
                .route(
                    "GET",
                    "/rooms/{id}/who",
                    req ->
                        HttpResponse.text(
                            200,
                            req.pathParameter("id")
                                + ":"
                                + (req.user() == null ? "anonymous" : req.user().id())))
                .route("POST", "/echo", req -> HttpResponse.text(201, new String(req.body())))
                .route(
                    "GET",
                    "/fail",
                    req -> {
                      throw new IllegalStateException("boom");
                    })
                .route("DELETE", "/nothing", req -> null)
                .maxRequestBodySize(1024)
                .corsOrigins(Set.of(ORIGIN))
                .instanceId("pod-7")
                .authenticator(
                    new BearerTokenAuthenticator(
                        token -> {
                          if (token.equals("bad")) {
                            throw new UnauthorizedException("bad token");
                          }
                          if (token.equals("crash")) {
                            throw new IllegalStateException("authenticator bug");
                          }
                          return HubUser.of(token, token);
                        })));
  }

  @AfterEach
  void close() {
    http.close();
  }

  @Test
  void aRouteAnswersWithItsStatusTypeAndBody() {
    FullHttpResponse r = http.exchange(request(HttpMethod.GET, "/health"));
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("application/json");
    assertThat(r.headers().get(HubServer.INSTANCE_HEADER)).isEqualTo("pod-7");
    assertThat(body(r)).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void pathParametersAndTheAuthenticatedUserReachTheRoute() {
    FullHttpResponse anonymous = http.exchange(request(HttpMethod.GET, "/rooms/r1/who"));
    assertThat(body(anonymous)).isEqualTo("r1:anonymous");
    FullHttpResponse alice =
        http.exchange(request(HttpMethod.GET, "/rooms/r2/who", "Authorization", "Bearer alice"));
    assertThat(body(alice)).isEqualTo("r2:alice");
    // A refused credential on a route is no user, not a 401: the route decides.
    FullHttpResponse refused =
        http.exchange(request(HttpMethod.GET, "/rooms/r3/who", "Authorization", "Bearer bad"));
    assertThat(body(refused)).isEqualTo("r3:anonymous");
  }

  @Test
  void aRouteGetsTheRequestBody() {
    FullHttpResponse r =
        http.exchange(EmbeddedHttp.requestWithBody(HttpMethod.POST, "/echo", "hello body"));
    assertThat(r.status().code()).isEqualTo(201);
    assertThat(body(r)).isEqualTo("hello body");
  }

  @Test
  void headIsServedByTheGetRouteWithoutABody() {
    FullHttpResponse r = http.exchange(request(HttpMethod.HEAD, "/health"));
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(15);
    assertThat(body(r)).isEmpty();
  }

  @Test
  void aRouteReturningNullAnswers204() {
    FullHttpResponse r = http.exchange(request(HttpMethod.DELETE, "/nothing"));
    assertThat(r.status().code()).isEqualTo(204);
    body(r);
  }

  @Test
  void anUnknownPathIsAProblem404() {
    FullHttpResponse r = http.exchange(request(HttpMethod.GET, "/nowhere"));
    assertThat(r.status().code()).isEqualTo(404);
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/problem+json");
    assertThat(body(r))
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"No resource at /nowhere.\"}");
  }

  @Test
  void aKnownPathWithAnotherMethodIsAProblem405() {
    FullHttpResponse r = http.exchange(request(HttpMethod.PUT, "/health"));
    assertThat(r.status().code()).isEqualTo(405);
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/problem+json");
    assertThat(body(r))
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Method Not Allowed\",\"status\":405,"
                + "\"detail\":\"This path does not accept PUT.\"}");
  }

  @Test
  void aFailingRouteIsAProblem500WithoutTheException() {
    FullHttpResponse r = http.exchange(request(HttpMethod.GET, "/fail"));
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(body(r))
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,"
                + "\"detail\":\"The request could not be completed.\"}");
  }

  @Test
  void aPreflightFromAnAllowedOriginGetsTheCorsHeaders() {
    FullHttpResponse r =
        http.exchange(
            request(
                HttpMethod.OPTIONS,
                "/hubs/echo/negotiate",
                "Origin",
                ORIGIN,
                "Access-Control-Request-Headers",
                "authorization, x-requested-with"));
    assertThat(r.status().code()).isEqualTo(204);
    assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(ORIGIN);
    assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isEqualTo("true");
    assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS))
        .isEqualTo("GET, POST, DELETE, OPTIONS");
    assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS))
        .isEqualTo("authorization, x-requested-with");
    assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE)).isEqualTo("600");
    assertThat(r.headers().getAll(HttpHeaderNames.VARY)).containsExactly("Origin");
    assertThat(r.headers().get(HubServer.INSTANCE_HEADER)).isEqualTo("pod-7");
    body(r);
  }

  @Test
  void aPreflightFromAnotherOriginGets204WithoutCorsHeaders() {
    FullHttpResponse r =
        http.exchange(
            request(HttpMethod.OPTIONS, "/hubs/echo/negotiate", "Origin", "https://evil.example"));
    assertThat(r.status().code()).isEqualTo(204);
    assertThat(r.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
    assertThat(r.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isFalse();
    body(r);
  }

  @Test
  void optionsWithoutAnOriginIsAnOrdinaryRequest() {
    FullHttpResponse r = http.exchange(request(HttpMethod.OPTIONS, "/health"));
    assertThat(r.status().code()).isEqualTo(405);
    body(r);
  }

  @Test
  void answersToAnAllowedOriginCarryCorsHeadersAndOthersDoNot() {
    FullHttpResponse allowed = http.exchange(request(HttpMethod.GET, "/health", "Origin", ORIGIN));
    assertThat(allowed.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN))
        .isEqualTo(ORIGIN);
    assertThat(allowed.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS))
        .isEqualTo("true");
    body(allowed);
    FullHttpResponse other =
        http.exchange(request(HttpMethod.GET, "/health", "Origin", "https://evil.example"));
    assertThat(other.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
    body(other);
  }

  @Test
  void anonymousRequestsToAHubThatRequiresAUserGet401WithABearerChallenge() {
    FullHttpResponse r = http.exchange(request(HttpMethod.POST, "/hubs/secure/negotiate"));
    assertThat(r.status().code()).isEqualTo(401);
    assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
    assertThat(body(r)).isEqualTo("Unauthorized");
    assertThat(http.server.connectionCount()).isZero();
  }

  @Test
  void aRefusedCredentialOnAHubGets401EvenWhereAnonymousUsersMayConnect() {
    FullHttpResponse r =
        http.exchange(
            request(HttpMethod.POST, "/hubs/echo/negotiate", "Authorization", "Bearer bad"));
    assertThat(r.status().code()).isEqualTo(401);
    assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
    body(r);
  }

  @Test
  void aFailingAuthenticatorGets500() {
    FullHttpResponse r =
        http.exchange(
            request(HttpMethod.POST, "/hubs/echo/negotiate", "Authorization", "Bearer crash"));
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(body(r)).isEqualTo("Authentication failed");
  }

  @Test
  void anAuthenticatedUserReachesTheHub() {
    FullHttpResponse r =
        http.exchange(
            request(HttpMethod.POST, "/hubs/secure/negotiate", "Authorization", "Bearer alice"));
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(body(r)).contains("\"connectionId\"");
    assertThat(http.server.connectionCount()).isEqualTo(1);
  }

  @Test
  void aBodyLargerThanTheLimitGets413() {
    FullHttpResponse r =
        http.exchange(EmbeddedHttp.requestWithBody(HttpMethod.POST, "/echo", "x".repeat(2000)));
    assertThat(r.status().code()).isEqualTo(413);
    body(r);
  }

  @Test
  void anUndecodableRequestGets400() {
    FullHttpResponse r =
        http.exchangeRaw("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(r.status().code()).isEqualTo(400);
    body(r);
  }

  @Test
  void aStoppingServerRefusesNegotiateAndClosesTheConnection() {
    http.server.stop(Duration.ZERO);
    FullHttpResponse r = http.exchange(request(HttpMethod.POST, "/hubs/echo/negotiate"));
    assertThat(r.status().code()).isEqualTo(503);
    assertThat(body(r)).isEqualTo("The server is shutting down");
    assertThat(http.channel.isOpen()).isFalse();
  }

  @Test
  void aFullExecutorGets503ForHubsAndRoutes() {
    SameThreadExecutor full = new SameThreadExecutor();
    full.shutdown();
    try (EmbeddedHttp busy =
        new EmbeddedHttp(
            HubServer.builder()
                .hub("/hubs/echo", EchoHub::new)
                .route("GET", "/health", req -> HttpResponse.text(200, "ok"))
                // One that may block: a hub request waits for the executor (see
                // HubAuthenticationTest for one that does not).
                .authenticator(req -> null),
            full)) {
      FullHttpResponse hub = busy.exchange(request(HttpMethod.POST, "/hubs/echo/negotiate"));
      assertThat(hub.status().code()).isEqualTo(503);
      assertThat(body(hub)).isEqualTo("The server is too busy");
      FullHttpResponse route = busy.exchange(request(HttpMethod.GET, "/health"));
      assertThat(route.status().code()).isEqualTo(503);
      assertThat(route.headers().get(HttpHeaderNames.CONTENT_TYPE))
          .isEqualTo("application/problem+json");
      assertThat(body(route))
          .isEqualTo(
              "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                  + "\"detail\":\"The server is too busy.\"}");
    }
  }
}
