package org.jvmchat.spring.boot.autoconfigure;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.client.HubConnectionState;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubServer;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real Spring Boot application (embedded Tomcat, Spring MVC, Spring Security) with the
 * auto-configuration, and jvmchat's Java client: the hubs on the application's port through the
 * Servlet host, or on their own Netty port; Spring Security's users as hub users; a controller's
 * HubContext sends to a user and to a group; the hub meters in the application's MeterRegistry.
 */
class SpringBootHubsEndToEndTest {
  private static final byte[] SECRET =
      "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

  /** Where the hubs are served. */
  enum Mode {
    /** On the application's port, behind Spring Security's filters. */
    SERVLET,
    /** On jvmchat.server.port; tokens are checked by the JwtDecoder bean. */
    OWN_PORT
  }

  @RestController
  static class NotifyController {
    private final HubContext echo;

    NotifyController(@Qualifier("/hubs/echo") HubContext echo) {
      this.echo = echo;
    }

    @PostMapping("/notify/user/{user}")
    ResponseEntity<Void> toUser(@PathVariable String user, @RequestBody String text) {
      echo.clients().user(user).send("Notified", text);
      return ResponseEntity.accepted().build();
    }

    @PostMapping("/notify/group/{group}")
    ResponseEntity<Void> toGroup(@PathVariable String group, @RequestBody String text) {
      echo.clients().group(group).send("Notified", text);
      return ResponseEntity.accepted().build();
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({TestHubs.EchoHub.class, TestHubs.OtherHub.class, NotifyController.class})
  static class App {
    @Bean
    TestHubs.Greeter greeter() {
      return new TestHubs.Greeter();
    }

    @Bean
    JwtDecoder jwtDecoder() {
      return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET, "HmacSHA256")).build();
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("bob").password("{noop}secret").roles("USER").build());
    }

    /** Hubs need a user; tokens also from access_token (browsers' WebSockets and SSE). */
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      DefaultBearerTokenResolver tokens = new DefaultBearerTokenResolver();
      tokens.setAllowUriQueryParameter(true);
      return http.csrf(c -> c.disable())
          .authorizeHttpRequests(
              a -> a.requestMatchers("/hubs/**").authenticated().anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .oauth2ResourceServer(o -> o.bearerTokenResolver(tokens).jwt(Customizer.withDefaults()))
          .build();
    }
  }

  private ConfigurableApplicationContext app;
  private final List<HubConnection> connections = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    connections.forEach(HubConnection::close);
    if (app != null) {
      app.close();
    }
  }

  private String start(Mode mode) {
    SpringApplicationBuilder builder =
        new SpringApplicationBuilder(App.class)
            .properties("server.port=0", "spring.main.banner-mode=off");
    if (mode == Mode.OWN_PORT) {
      builder.properties("jvmchat.server.port=0", "jvmchat.server.host=127.0.0.1");
    }
    app = builder.run();
    int port =
        mode == Mode.OWN_PORT
            ? app.getBean(HubServer.class).port()
            : Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    return "http://127.0.0.1:" + port;
  }

  private String appUrl() {
    return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  private HubConnection connect(HubConnectionBuilder builder) throws Exception {
    HubConnection c = builder.build();
    connections.add(c);
    c.start().get(15, SECONDS);
    return c;
  }

  private int post(String path, String body) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(appUrl() + path))
                .header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aJwtUserIsTheHubUserAndAControllersHubContextReachesItByUserAndByGroup(Mode mode)
      throws Exception {
    String hubs = start(mode);
    String token =
        JvmChatAutoConfigurationTest.token("alice", "Alice", Instant.now().plusSeconds(300));
    for (HttpTransportType transport :
        List.of(HttpTransportType.WebSockets, HttpTransportType.LongPolling)) {
      HubConnection alice =
          connect(
              HubConnectionBuilder.create(hubs + "/hubs/echo")
                  .transports(transport)
                  .accessTokenProvider(() -> token));
      List<String> notified = new CopyOnWriteArrayList<>();
      alice.on("Notified", String.class, notified::add);

      assertThat(alice.invoke(String.class, "Whoami").get(10, SECONDS)).isEqualTo("alice|Alice");
      assertThat(alice.invoke(String.class, "Greet", "ada").get(10, SECONDS))
          .isEqualTo("hello ada");
      alice.invoke(Void.class, "Join", "room-" + transport).get(10, SECONDS);

      assertThat(post("/notify/user/alice", "to alice over " + transport)).isEqualTo(202);
      assertThat(post("/notify/group/room-" + transport, "to the room over " + transport))
          .isEqualTo(202);
      assertThat(post("/notify/user/nobody", "to no one")).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(notified)
                      .containsExactlyInAnyOrder(
                          "to alice over " + transport, "to the room over " + transport));
      alice.stop().get(10, SECONDS);
    }

    // the hub meters are in the application's registry
    MeterRegistry registry = app.getBean(MeterRegistry.class);
    // Whoami, Greet and Join, over two transports
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        registry
                            .find("jvmchat.hub.invocation.duration")
                            .tags("hub", "/hubs/echo", "outcome", "success")
                            .timers()
                            .stream()
                            .mapToLong(io.micrometer.core.instrument.Timer::count)
                            .sum())
                    .isEqualTo(6));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(registry.find("signalr.server.connection.duration").timers())
                    .isNotEmpty());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void anonymousRequestsToAHubThatNeedsAUserGet401(Mode mode) throws Exception {
    String hubs = start(mode);
    HttpResponse<String> negotiate =
        http.send(
            HttpRequest.newBuilder(URI.create(hubs + "/hubs/other/negotiate?negotiateVersion=1"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(negotiate.statusCode()).isEqualTo(401);
    String token =
        JvmChatAutoConfigurationTest.token("carol", "Carol", Instant.now().plusSeconds(300));
    HubConnection carol =
        connect(HubConnectionBuilder.create(hubs + "/hubs/other").accessTokenProvider(() -> token));
    assertThat(carol.invoke(Integer.class, "Add", 2, 3).get(10, SECONDS)).isEqualTo(5);
  }

  @Test
  void onTheApplicationsPortTheRequestsSpringSecurityAuthenticationIsTheHubUser() throws Exception {
    String hubs = start(Mode.SERVLET);
    String basic =
        "Basic "
            + Base64.getEncoder().encodeToString("bob:secret".getBytes(StandardCharsets.UTF_8));
    for (HttpTransportType transport : HttpTransportType.values()) {
      HubConnection bob =
          connect(
              HubConnectionBuilder.create(hubs + "/hubs/echo")
                  .transports(transport)
                  .header("Authorization", basic));
      assertThat(bob.invoke(String.class, "Whoami").get(10, SECONDS)).isEqualTo("bob|bob");
      bob.stop().get(10, SECONDS);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void closingTheApplicationClosesHubConnectionsGracefully(Mode mode) throws Exception {
    String hubs = start(mode);
    String token =
        JvmChatAutoConfigurationTest.token("dave", "Dave", Instant.now().plusSeconds(300));
    HubConnection dave =
        connect(
            HubConnectionBuilder.create(hubs + "/hubs/echo")
                .transports(HttpTransportType.WebSockets)
                .accessTokenProvider(() -> token));
    AtomicReference<Throwable> closedWith = new AtomicReference<>();
    java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    dave.onClose(
        error -> {
          closedWith.set(error);
          closed.countDown();
        });
    app.close();
    app = null;
    assertThat(closed.await(15, SECONDS)).isTrue();
    assertThat(dave.state()).isEqualTo(HubConnectionState.Disconnected);
    // a Close from the server, not a broken transport
    assertThat(closedWith.get()).isNull();
  }
}
