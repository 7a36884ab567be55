package org.jvmchat.spring.boot.autoconfigure;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.servlet.ServletAuthenticator;
import org.jvmchat.hub.servlet.ServletHubHost;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.spring.boot.autoconfigure.internal.HubHost;
import org.jvmchat.spring.boot.autoconfigure.internal.HubHostLifecycle;
import org.jvmchat.spring.boot.autoconfigure.internal.HubRegistry;
import org.jvmchat.spring.boot.security.HubUserMapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * The hubs on the application's own port, through the Servlet host (chat-hub-servlet): one
 * asynchronous servlet mapped to every hub path ({@code <hub>} and {@code <hub>/*}), registered
 * like any other servlet of the application, behind its filters (Spring Security's included); its
 * WebSockets through the container's Jakarta WebSocket support. Applies to Servlet web applications
 * when {@code jvmchat.server.port} is not set.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = JvmChatServletHostConfiguration.SERVLET_HOST_CLASS)
@Conditional(JvmChatServletHostConfiguration.NoOwnPort.class)
class JvmChatServletHostConfiguration {
  static final String SERVLET_HOST_CLASS = "org.jvmchat.hub.servlet.ServletHubHost";

  private static final boolean SPRING_SECURITY =
      ClassUtils.isPresent(
          "org.springframework.security.core.Authentication",
          JvmChatServletHostConfiguration.class.getClassLoader());

  /**
   * The Servlet host of the application's hubs (the application's own {@link ServletHubHost} bean
   * when it defines one), built when at least one hub is mapped: an application with the starter
   * and no hub yet starts as before, serving nothing. Its servlet starts it; the lifecycle bean
   * stops it gracefully.
   */
  @Bean
  @ConditionalOnMissingBean
  HubHost jvmchatHubHost(
      HubRegistry registry,
      ObjectProvider<ServletHubHost> applicationHost,
      ObjectProvider<ServletAuthenticator> servletAuthenticator,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<HubUserMapper> userMapper,
      ObjectProvider<HubFilter> filters,
      ObjectProvider<ConnectionListener> listeners,
      ObjectProvider<HubLifetimeManagerFactory> lifetimeManagerFactory,
      ObjectProvider<ServletHubHostCustomizer> customizers) {
    ServletHubHost own = applicationHost.getIfUnique();
    if (own != null) {
      return new ServletHost(own);
    }
    if (registry.mappings().isEmpty()) {
      return new ServletHost(null);
    }
    ServletHubHost.Builder builder = ServletHubHost.builder();
    registry.mappings().forEach(builder::hub);
    filters.orderedStream().forEach(builder::filter);
    listeners.orderedStream().forEach(builder::listener);
    lifetimeManagerFactory.ifAvailable(builder::lifetimeManagerFactory);
    ServletAuthenticator custom = servletAuthenticator.getIfUnique();
    builder.authenticator(
        custom != null
            ? custom
            : requestUser(userMapper.getIfUnique(), authenticator.getIfUnique()));
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return new ServletHost(builder.build());
  }

  /**
   * The request's user as the application's security already established it ({@code
   * getUserPrincipal()}: Spring Security's {@code Authentication}, mapped by the {@link
   * HubUserMapper}); for a request it left anonymous, the {@link Authenticator} bean's user (a
   * bearer token checked by the {@code JwtDecoder}, e.g. the {@code access_token} query parameter
   * that Spring Security does not read by default).
   */
  static ServletAuthenticator requestUser(HubUserMapper mapper, Authenticator fallback) {
    ServletAuthenticator next = fallback == null ? null : ServletAuthenticator.of(fallback);
    return request -> {
      HubUser user = principalUser(request, mapper);
      if (user != null) {
        return user;
      }
      return next == null ? null : next.authenticate(request);
    };
  }

  private static HubUser principalUser(HttpServletRequest request, HubUserMapper mapper) {
    Principal principal = request.getUserPrincipal();
    if (principal == null) {
      return null;
    }
    if (SPRING_SECURITY && mapper != null) {
      HubUser user = SecurityPrincipals.toHubUser(principal, mapper);
      if (user != SecurityPrincipals.NOT_AN_AUTHENTICATION) {
        return user;
      }
    }
    String name = principal.getName();
    return name == null || name.isEmpty() ? null : HubUser.of(name, name);
  }

  /**
   * The servlet of the hubs, mapped to every hub path ({@code <hub>} and {@code <hub>/*}),
   * asynchronous, started with the web server; disabled when no hub is mapped.
   */
  @Bean
  @ConditionalOnMissingBean(name = "jvmchatHubServlet")
  ServletRegistrationBean<HttpServlet> jvmchatHubServlet(HubHost jvmchatHubHost) {
    ServletRegistrationBean<HttpServlet> registration = new ServletRegistrationBean<>();
    registration.setName(ServletHubHost.SERVLET_NAME);
    registration.setAsyncSupported(true);
    registration.setLoadOnStartup(1);
    if (jvmchatHubHost instanceof ServletHost servletHost && servletHost.host() != null) {
      registration.setServlet(servletHost.host().servlet());
      registration.setUrlMappings(servletHost.host().urlPatterns());
    } else {
      registration.setEnabled(false);
    }
    return registration;
  }

  /** Stops the hubs gracefully before the web server's own graceful shutdown. */
  @Bean
  @ConditionalOnMissingBean
  HubHostLifecycle jvmchatHubHostLifecycle(HubHost host, JvmChatProperties properties) {
    return new HubHostLifecycle(host, properties.shutdown().timeout());
  }

  /** Not when the hubs have a port of their own. */
  static class NoOwnPort extends NoneNestedConditions {
    NoOwnPort() {
      super(ConfigurationPhase.PARSE_CONFIGURATION);
    }

    @ConditionalOnProperty(prefix = "jvmchat.server", name = "port")
    static class OwnPort {}
  }

  /**
   * The hubs on the application's port; {@code host} is null when no hub is mapped. The servlet's
   * {@code destroy()} closes the host when the web server stops, after the lifecycle's graceful
   * stop.
   */
  record ServletHost(ServletHubHost host) implements HubHost {
    @Override
    public void start() {
      if (host != null) {
        host.start();
      }
    }

    @Override
    public void stop(java.time.Duration grace) {
      if (host != null) {
        host.stop(grace);
      }
    }

    @Override
    public HubContext hubContext(String path) {
      if (host == null) {
        throw new IllegalArgumentException("No hub is mapped to " + path);
      }
      return host.hubContext(path);
    }

    @Override
    public String description() {
      return host == null
          ? "nothing (no hub is mapped)"
          : "the application's Servlet container at " + host.urlPatterns();
    }
  }

  /** Kept apart so that Spring Security is loaded only when it is present. */
  private static final class SecurityPrincipals {
    static final HubUser NOT_AN_AUTHENTICATION = HubUser.of("-", "-");

    static HubUser toHubUser(Principal principal, HubUserMapper mapper) {
      if (principal instanceof org.springframework.security.core.Authentication a) {
        return mapper.toHubUser(a);
      }
      return NOT_AN_AUTHENTICATION;
    }
  }
}
