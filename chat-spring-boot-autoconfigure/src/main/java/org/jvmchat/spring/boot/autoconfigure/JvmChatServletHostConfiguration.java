package org.jvmchat.spring.boot.autoconfigure;

import org.springframework.context.annotation.Configuration;

/** The hubs on the application's own port, through the Servlet host (chat-hub-servlet). */
@Configuration(proxyBeanMethods = false)
class JvmChatServletHostConfiguration {
  static final String SERVLET_HOST_CLASS = "org.jvmchat.hub.servlet.ServletHubHost";
}
