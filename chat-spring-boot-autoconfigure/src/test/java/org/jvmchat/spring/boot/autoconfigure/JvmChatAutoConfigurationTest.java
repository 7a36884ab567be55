package org.jvmchat.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.metrics.MicrometerHubMetrics;
import org.jvmchat.hub.servlet.ServletHubHost;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.spring.boot.HubContexts;
import org.jvmchat.spring.boot.autoconfigure.internal.HubHost;
import org.jvmchat.spring.boot.autoconfigure.internal.HubHostLifecycle;
import org.jvmchat.spring.boot.autoconfigure.internal.HubRegistry;
import org.jvmchat.spring.boot.autoconfigure.internal.NettyHubHost;
import org.jvmchat.spring.boot.security.HubUserMapper;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** Which beans the auto-configuration defines under which properties and class paths. */
class JvmChatAutoConfigurationTest {
  private static final byte[] SECRET =
      "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

  private final ApplicationContextRunner plain =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(JvmChatAutoConfiguration.class));

  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(JvmChatAutoConfiguration.class));

  @Configuration(proxyBeanMethods = false)
  @Import({TestHubs.EchoHub.class, TestHubs.OtherHub.class})
  static class TwoHubs {
    @Bean
    TestHubs.Greeter greeter() {
      return new TestHubs.Greeter();
    }
  }

  @Test
  void withoutHubsAndWithoutAWebServerNothingIsServedAndStartingSucceeds() {
    plain.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(HubRegistry.class).hasSingleBean(HubOptions.class);
          assertThat(context).doesNotHaveBean(HubHost.class).doesNotHaveBean(HubServer.class);
          assertThat(context.getBean(HubContexts.class).paths()).isEmpty();
        });
  }

  @Test
  void hubsWithNothingToServeThemFailTheStartWithWhatToDo() {
    plain
        .withUserConfiguration(TwoHubs.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .satisfies(
                        f ->
                            assertThat(messages(f))
                                .contains("hubs are mapped ([/hubs/echo, /hubs/other])")
                                .contains("jvmchat.server.port")));
  }

  @Test
  void aServletWebApplicationServesTheHubsOnItsPortThroughOneAsyncServlet() {
    web.withUserConfiguration(TwoHubs.class)
        .run(
            context -> {
              assertThat(context.getBean(HubHost.class))
                  .isInstanceOf(JvmChatServletHostConfiguration.ServletHost.class);
              assertThat(context).doesNotHaveBean(HubServer.class);
              assertThat(context).hasSingleBean(HubHostLifecycle.class);
              @SuppressWarnings("unchecked")
              ServletRegistrationBean<?> servlet =
                  context.getBean("jvmchatHubServlet", ServletRegistrationBean.class);
              assertThat(servlet.getUrlMappings())
                  .containsExactlyInAnyOrder(
                      "/hubs/echo", "/hubs/echo/*", "/hubs/other", "/hubs/other/*");
              assertThat(servlet.isAsyncSupported()).isTrue();
              assertThat(servlet.getServletName()).isEqualTo(ServletHubHost.SERVLET_NAME);
              assertThat(context.getBean(HubHostLifecycle.class).getPhase())
                  .isGreaterThan(org.springframework.context.SmartLifecycle.DEFAULT_PHASE - 1024);
            });
  }

  @Test
  void jvmchatServerPortServesTheHubsOnTheirOwnNettyPortInsteadOfTheServletContainer() {
    web.withUserConfiguration(TwoHubs.class)
        .withPropertyValues("jvmchat.server.port=0", "jvmchat.server.host=127.0.0.1")
        .run(
            context -> {
              assertThat(context).hasSingleBean(HubServer.class);
              assertThat(context).doesNotHaveBean("jvmchatHubServlet");
              assertThat(context.getBean(HubHost.class)).isInstanceOf(NettyHubHost.class);
              // started with the context (lifecycle), port 0 -> a free port
              assertThat(context.getBean(HubServer.class).port()).isPositive();
            });
    plain
        .withUserConfiguration(TwoHubs.class)
        .withPropertyValues("jvmchat.server.port=0")
        .run(context -> assertThat(context).hasSingleBean(HubServer.class));
  }

  @Test
  void everyHubEndpointGetsAHubContextBeanQualifiedByItsPath() {
    web.withUserConfiguration(TwoHubs.class)
        .run(
            context -> {
              assertThat(context.getBeansOfType(HubContext.class)).hasSize(2);
              HubContext echo =
                  BeanFactoryAnnotationUtils.qualifiedBeanOfType(
                      context.getBeanFactory(), HubContext.class, "/hubs/echo");
              assertThat(echo).hasToString("HubContext[/hubs/echo]");
              assertThat(echo.clients()).isNotNull();
              assertThat(context.getBean(HubContexts.class).paths())
                  .containsExactly("/hubs/echo", "/hubs/other");
              assertThat(context.getBean(HubContexts.class).hubContext(TestHubs.OtherHub.class))
                  .isNotNull();
            });
  }

  @Test
  void hubEndpointBeansAreNewInstancesWithConstructorInjection() {
    web.withUserConfiguration(TwoHubs.class)
        .run(
            context -> {
              TestHubs.EchoHub a = context.getBean(TestHubs.EchoHub.class);
              TestHubs.EchoHub b = context.getBean(TestHubs.EchoHub.class);
              assertThat(a).isNotSameAs(b);
              assertThat(a.greet("ada")).isEqualTo("hello ada");
              HubRegistry registry = context.getBean(HubRegistry.class);
              assertThat(registry.mappings())
                  .extracting(HubMapping::path)
                  .containsExactly("/hubs/echo", "/hubs/other");
              assertThat(registry.mappings().get(1).requireAuthenticatedUser()).isTrue();
              assertThat(registry.mappings().get(0).factory().get())
                  .isInstanceOf(TestHubs.EchoHub.class);
            });
  }

  @Test
  void aSingletonHubEndpointOrTwoHubsOnOnePathFailTheStart() {
    web.withUserConfiguration(TestHubs.SingletonHub.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .satisfies(f -> assertThat(messages(f)).contains("must be prototype-scoped")));
    web.withUserConfiguration(TwoHubs.class)
        .withBean(TestHubs.DuplicateHub.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .satisfies(
                        f ->
                            assertThat(messages(f)).contains("Two hubs are mapped to /hubs/echo")));
  }

  @Test
  void hubPropertiesBecomeTheHubOptionsOfHubEndpoints() {
    web.withUserConfiguration(TwoHubs.class)
        .withPropertyValues(
            "jvmchat.hub.keep-alive-interval=5s",
            "jvmchat.hub.client-timeout=20s",
            "jvmchat.hub.max-message-size=64KB",
            "jvmchat.hub.transports=WebSockets,LongPolling",
            "jvmchat.hub.protocols=json",
            "jvmchat.hub.allow-stateful-reconnects=true",
            "jvmchat.hub.stateful-reconnect-buffer-size=2000B")
        .run(
            context -> {
              HubOptions options = context.getBean(HubOptions.class);
              assertThat(options.keepAliveInterval()).isEqualTo(Duration.ofSeconds(5));
              assertThat(options.clientTimeout()).isEqualTo(Duration.ofSeconds(20));
              assertThat(options.maxMessageSize()).isEqualTo(64 * 1024);
              assertThat(options.transports())
                  .containsExactlyInAnyOrder(
                      HttpTransportType.WebSockets, HttpTransportType.LongPolling);
              assertThat(options.protocols()).containsExactly("json");
              assertThat(options.allowStatefulReconnects()).isTrue();
              assertThat(options.statefulReconnectBufferSize()).isEqualTo(2000);
              assertThat(context.getBean(HubRegistry.class).mappings().get(0).options())
                  .isSameAs(options);
            });
  }

  @Test
  void theDefaultsAreAspNetCoresAsHubOptionsHasThem() {
    plain.run(
        context -> {
          HubOptions options = context.getBean(HubOptions.class);
          HubOptions defaults = HubOptions.defaults();
          assertThat(options.keepAliveInterval()).isEqualTo(defaults.keepAliveInterval());
          assertThat(options.clientTimeout()).isEqualTo(defaults.clientTimeout());
          assertThat(options.maxMessageSize()).isEqualTo(defaults.maxMessageSize());
          assertThat(options.outboundBufferLimit()).isEqualTo(defaults.outboundBufferLimit());
          assertThat(options.statefulReconnectBufferSize())
              .isEqualTo(defaults.statefulReconnectBufferSize());
          assertThat(options.maxQueuedInvocations()).isEqualTo(defaults.maxQueuedInvocations());
          assertThat(options.transports()).isEqualTo(defaults.transports());
          assertThat(options.protocols()).isEqualTo(defaults.protocols());
          assertThat(options.allowStatefulReconnects()).isFalse();
        });
  }

  @Test
  void everyBeanBacksOffWhenTheApplicationDefinesItsOwn() {
    HubOptions mine = HubOptions.builder().keepAliveInterval(Duration.ofSeconds(3)).build();
    HubUserMapper mapper = a -> HubUser.of("always", "always");
    web.withUserConfiguration(TwoHubs.class)
        .withBean(HubOptions.class, () -> mine)
        .withBean(HubUserMapper.class, () -> mapper)
        .withBean(Authenticator.class, () -> Authenticator.ANONYMOUS)
        .run(
            context -> {
              assertThat(context.getBean(HubOptions.class)).isSameAs(mine);
              assertThat(context.getBean(HubUserMapper.class)).isSameAs(mapper);
              assertThat(context.getBean(Authenticator.class)).isSameAs(Authenticator.ANONYMOUS);
            });
    web.withUserConfiguration(TwoHubs.class)
        .withPropertyValues("jvmchat.server.port=0")
        .withBean(
            "myServer",
            HubServer.class,
            () -> HubServer.builder().port(0).hub("/hubs/mine", TestHubs.OtherHub::new).build())
        .run(
            context -> {
              assertThat(context).hasSingleBean(HubServer.class);
              assertThat(context).hasBean("myServer");
              assertThat(context.getBean(HubHost.class).hubContext("/hubs/mine")).isNotNull();
            });
  }

  @Test
  void springSecurityUsersAreMappedOnlyWhenSpringSecurityIsPresentAndEnabled() {
    web.run(
        context ->
            assertThat(context)
                .hasSingleBean(HubUserMapper.class)
                .hasSingleBean(Authenticator.class));
    web.withClassLoader(new FilteredClassLoader(Authentication.class))
        .run(
            context ->
                assertThat(context)
                    .hasNotFailed()
                    .doesNotHaveBean(HubUserMapper.class)
                    .doesNotHaveBean(Authenticator.class));
    web.withPropertyValues("jvmchat.security.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(HubUserMapper.class)
                    .doesNotHaveBean(Authenticator.class));
    // Spring Security without its resource server: the request's user only, no token checks
    web.withClassLoader(new FilteredClassLoader(JwtDecoder.class))
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(HubUserMapper.class)
                    .doesNotHaveBean(Authenticator.class));
  }

  @Test
  void theApplicationsJwtDecoderAuthenticatesBearerTokensOfHeadersAndAccessTokenQueries() {
    web.withBean(
            JwtDecoder.class,
            () -> NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET, "HmacSHA256")).build())
        .run(
            context -> {
              Authenticator auth = context.getBean(Authenticator.class);
              String token = token("alice", "Alice", Instant.now().plusSeconds(60));
              HubUser byHeader =
                  auth.authenticate(
                      request(Map.of("authorization", List.of("Bearer " + token)), Map.of()));
              assertThat(byHeader.id()).isEqualTo("alice");
              assertThat(byHeader.name()).isEqualTo("Alice");
              assertThat(byHeader.claims()).containsEntry("sub", "alice");
              assertThat(byHeader.expiration()).isPresent();
              HubUser byQuery =
                  auth.authenticate(request(Map.of(), Map.of("access_token", List.of(token))));
              assertThat(byQuery.id()).isEqualTo("alice");
              assertThat(auth.authenticate(request(Map.of(), Map.of()))).isNull();
              String expired = token("alice", "Alice", Instant.now().minusSeconds(600));
              assertThatThrownBy(
                      () ->
                          auth.authenticate(
                              request(
                                  Map.of("authorization", List.of("Bearer " + expired)), Map.of())))
                  .isInstanceOf(UnauthorizedException.class)
                  .hasMessageContaining("not valid");
              assertThatThrownBy(
                      () ->
                          auth.authenticate(
                              request(Map.of("authorization", List.of("Bearer x.y.z")), Map.of())))
                  .isInstanceOf(UnauthorizedException.class);
            });
    // without a JwtDecoder bean every request is anonymous
    web.run(
        context ->
            assertThat(
                    context
                        .getBean(Authenticator.class)
                        .authenticate(
                            request(
                                Map.of(
                                    "authorization",
                                    List.of(
                                        "Bearer "
                                            + token("a", "A", Instant.now().plusSeconds(60)))),
                                Map.of())))
                .isNull());
  }

  @Test
  void hubMetersGoToTheApplicationsMeterRegistryWhenItHasOne() {
    web.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              assertThat(context).hasSingleBean(MicrometerHubMetrics.class);
              MicrometerHubMetrics metrics = context.getBean(MicrometerHubMetrics.class);
              metrics.connected("/hubs/echo", "c1", "WebSockets", "json");
              metrics.invocationCompleted("/hubs/echo", "Echo", 1_000_000, false);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(
                      registry
                          .get("signalr.server.active_connections")
                          .tag("signalr.transport", "web_sockets")
                          .gauge()
                          .value())
                  .isEqualTo(1.0);
              assertThat(
                      registry
                          .get("jvmchat.hub.invocation.duration")
                          .tags("hub", "/hubs/echo", "method", "Echo", "outcome", "success")
                          .timer()
                          .count())
                  .isEqualTo(1);
            });
    web.run(context -> assertThat(context).doesNotHaveBean(MicrometerHubMetrics.class));
    web.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("jvmchat.metrics.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(MicrometerHubMetrics.class));
    web.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withClassLoader(new FilteredClassLoader("io.micrometer.core"))
        .run(context -> assertThat(context).doesNotHaveBean(MicrometerHubMetrics.class));
  }

  @Test
  void withoutTheServletHostOnTheClassPathAServletApplicationIsToldWhatToAdd() {
    web.withUserConfiguration(TwoHubs.class)
        .withClassLoader(new FilteredClassLoader(ServletHubHost.class))
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .satisfies(f -> assertThat(messages(f)).contains("chat-hub-servlet")));
  }

  @Test
  void thePropertiesHaveMetadataForIdes() throws Exception {
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String name :
          Set.of(
              "jvmchat.server.port",
              "jvmchat.hub.keep-alive-interval",
              "jvmchat.hub.transports",
              "jvmchat.shutdown.timeout",
              "jvmchat.security.enabled",
              "jvmchat.metrics.enabled")) {
        assertThat(json).contains("\"name\": \"" + name + "\"");
      }
      assertThat(json).contains("\"defaultValue\": \"15s\"");
      // the hints of additional-spring-configuration-metadata.json were merged in
      assertThat(json).contains("\"hints\"").contains("\"value\": \"messagepack\"");
    }
  }

  /** The messages of a failure and its causes. */
  private static String messages(Throwable failure) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }

  @Test
  void aServletApplicationWithoutHubsStartsAndServesNothing() {
    web.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(
                  context.getBean("jvmchatHubServlet", ServletRegistrationBean.class).isEnabled())
              .isFalse();
          assertThatThrownBy(() -> context.getBean(HubContexts.class).hubContext("/hubs/none"))
              .isInstanceOf(IllegalArgumentException.class);
        });
  }

  private static HttpRequest request(
      Map<String, List<String>> headers, Map<String, List<String>> query) {
    return new HttpRequest("GET", "/hubs/echo", query, headers, Map.of(), null, "127.0.0.1", null);
  }

  static String token(String subject, String name, Instant expires) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .subject(subject)
                .claim("name", name)
                .issueTime(new Date())
                .expirationTime(Date.from(expires))
                .build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }
}
