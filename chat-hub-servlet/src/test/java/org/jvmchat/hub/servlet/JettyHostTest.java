package org.jvmchat.hub.servlet;

/** The Servlet host on embedded Jetty 12 (ee10; the hubs in the context {@code /app}). */
class JettyHostTest extends ContainerHostContract {
  @Override
  TestContainers.Started start() throws Exception {
    return TestContainers.jetty();
  }
}
