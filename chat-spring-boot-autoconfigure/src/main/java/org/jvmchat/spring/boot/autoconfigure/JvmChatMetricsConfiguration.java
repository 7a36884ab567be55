package org.jvmchat.spring.boot.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.jvmchat.hub.metrics.MicrometerHubMetrics;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hubs' meters in the application's {@link MeterRegistry} (Actuator's), when Micrometer is on
 * the class path and {@code jvmchat.metrics.enabled} is not false.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(
    prefix = "jvmchat.metrics",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
class JvmChatMetricsConfiguration {

  /** A listener of the hub host, recording into the application's registry. */
  @Bean
  @ConditionalOnBean(MeterRegistry.class)
  @ConditionalOnMissingBean
  MicrometerHubMetrics jvmchatHubMetrics(MeterRegistry registry) {
    return new MicrometerHubMetrics(registry);
  }
}
