package org.jvmchat.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;

/**
 * Matches when nothing can serve the hubs: {@code jvmchat.server.port} is not set and the
 * application is not a Servlet web application with the Servlet host on its class path.
 */
class NoHubHostCondition extends NoneNestedConditions {
  NoHubHostCondition() {
    super(ConfigurationPhase.REGISTER_BEAN);
  }

  @ConditionalOnProperty(prefix = "jvmchat.server", name = "port")
  static class OwnPort {}

  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = JvmChatServletHostConfiguration.SERVLET_HOST_CLASS)
  static class ServletWebServer {}
}
