package org.jvmchat.spring.boot.autoconfigure;

import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.spring.boot.security.DefaultHubUserMapper;
import org.jvmchat.spring.boot.security.HubUserMapper;
import org.jvmchat.spring.boot.security.JwtDecoderAuthenticator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * Spring Security's users as hub users, when Spring Security is on the class path and {@code
 * jvmchat.security.enabled} is not false.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(Authentication.class)
@ConditionalOnProperty(
    prefix = "jvmchat.security",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
class JvmChatSecurityConfiguration {

  @Bean
  @ConditionalOnMissingBean
  HubUserMapper jvmchatHubUserMapper() {
    return new DefaultHubUserMapper();
  }

  /**
   * Bearer tokens (header or {@code access_token}) checked by the application's {@code JwtDecoder}
   * bean: on jvmchat's own port, where Spring Security's filters do not run, and on the
   * application's port for requests that Spring Security left anonymous.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({JwtDecoder.class, JwtAuthenticationConverter.class})
  static class JwtConfiguration {
    @Bean
    @ConditionalOnMissingBean(Authenticator.class)
    Authenticator jvmchatAuthenticator(
        ObjectProvider<JwtDecoder> decoder,
        ObjectProvider<JwtAuthenticationConverter> converter,
        HubUserMapper mapper) {
      return request -> {
        JwtDecoder d = decoder.getIfUnique();
        if (d == null) {
          return null;
        }
        return new JwtDecoderAuthenticator(d, converter.getIfUnique(), mapper)
            .authenticate(request);
      };
    }
  }
}
