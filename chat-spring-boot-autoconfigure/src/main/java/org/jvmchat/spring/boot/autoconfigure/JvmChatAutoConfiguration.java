package org.jvmchat.spring.boot.autoconfigure;

import java.util.stream.Collectors;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.spring.boot.HubContexts;
import org.jvmchat.spring.boot.autoconfigure.internal.HubContextBeans;
import org.jvmchat.spring.boot.autoconfigure.internal.HubHost;
import org.jvmchat.spring.boot.autoconfigure.internal.HubHostLifecycle;
import org.jvmchat.spring.boot.autoconfigure.internal.HubRegistry;
import org.jvmchat.spring.boot.autoconfigure.internal.NettyHubHost;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * jvmchat in a Spring Boot application: the hubs of {@code @HubEndpoint} classes and {@link
 * HubMapping} beans, served on the application's own port through the Servlet host, or on a Netty
 * port of their own when {@code jvmchat.server.port} is set; {@link HubContexts} (and {@code
 * HubContext} per {@code @HubEndpoint} hub) to send from controllers and jobs; started and stopped
 * gracefully with the application. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(
    afterName = {
      // Actuator's MeterRegistry, which the hub meters are recorded into
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@EnableConfigurationProperties(JvmChatProperties.class)
@Import({
  JvmChatSecurityConfiguration.class,
  JvmChatMetricsConfiguration.class,
  JvmChatServletHostConfiguration.class
})
public class JvmChatAutoConfiguration {

  /** Registers a {@code HubContext} bean per {@code @HubEndpoint} class. */
  @Bean
  static HubContextBeans jvmchatHubContextBeans() {
    return new HubContextBeans();
  }

  /** The options of {@code @HubEndpoint} hubs, from {@code jvmchat.hub.*}. */
  @Bean
  @ConditionalOnMissingBean
  HubOptions jvmchatHubOptions(JvmChatProperties properties) {
    return properties.hub().toHubOptions();
  }

  /** The hubs, and their contexts for controllers and jobs. */
  @Bean
  @ConditionalOnMissingBean
  HubRegistry jvmchatHubRegistry(
      ConfigurableListableBeanFactory beanFactory,
      ObjectProvider<HubMapping> mappings,
      HubOptions jvmchatHubOptions,
      ObjectProvider<HubHost> host) {
    return new HubRegistry(beanFactory, mappings, jvmchatHubOptions, host);
  }

  /** The hubs on their own port: {@code jvmchat.server.port} is set. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "jvmchat.server", name = "port")
  static class NettyHostConfiguration {

    /** Built here, started by the lifecycle bean. */
    @Bean
    @ConditionalOnMissingBean
    HubServer jvmchatHubServer(
        JvmChatProperties properties,
        HubRegistry registry,
        ObjectProvider<Authenticator> authenticator,
        ObjectProvider<HubFilter> filters,
        ObjectProvider<ConnectionListener> listeners,
        ObjectProvider<HubLifetimeManagerFactory> lifetimeManagerFactory,
        ObjectProvider<HubServerCustomizer> customizers) {
      JvmChatProperties.Server server = properties.server();
      HubServer.Builder builder = HubServer.builder().port(server.port());
      if (server.host() != null && !server.host().isBlank()) {
        builder.host(server.host());
      }
      if (!server.corsOrigins().isEmpty()) {
        builder.corsOrigins(server.corsOrigins().stream().collect(Collectors.toSet()));
      }
      registry.mappings().forEach(builder::hub);
      filters.orderedStream().forEach(builder::filter);
      listeners.orderedStream().forEach(builder::listener);
      authenticator.ifAvailable(builder::authenticator);
      lifetimeManagerFactory.ifAvailable(builder::lifetimeManagerFactory);
      customizers.orderedStream().forEach(c -> c.customize(builder));
      return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    HubHost jvmchatHubHost(HubServer jvmchatHubServer) {
      return new NettyHubHost(jvmchatHubServer);
    }

    /** Binds the port with the application; stops gracefully before the application closes. */
    @Bean
    @ConditionalOnMissingBean
    HubHostLifecycle jvmchatHubHostLifecycle(HubHost host, JvmChatProperties properties) {
      return new HubHostLifecycle(host, properties.shutdown().timeout());
    }
  }

  /**
   * Neither a port of their own nor a Servlet web server to serve the hubs on: starting fails with
   * what to do, when the application maps any hub.
   */
  @Configuration(proxyBeanMethods = false)
  @Conditional(NoHubHostCondition.class)
  static class NoHostConfiguration {
    @Bean
    SmartInitializingSingleton jvmchatNoHubHost(HubRegistry registry) {
      return () -> {
        if (!registry.mappings().isEmpty()) {
          throw new IllegalStateException(
              "jvmchat: hubs are mapped ("
                  + registry.paths()
                  + ") but nothing serves them: this is not a Servlet web application with"
                  + " jvmchat's Servlet host (org.jvmchat:chat-spring-boot-starter brings both:"
                  + " spring-boot-starter-webmvc and org.jvmchat:chat-hub-servlet), and"
                  + " jvmchat.server.port is not set (set it to serve the hubs on a port of their"
                  + " own)");
        }
      };
    }
  }
}
