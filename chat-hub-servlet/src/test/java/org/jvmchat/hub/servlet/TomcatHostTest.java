package org.jvmchat.hub.servlet;

/** The Servlet host on embedded Tomcat 11 (the hubs at the root context). */
class TomcatHostTest extends ContainerHostContract {
  @Override
  TestContainers.Started start() throws Exception {
    return TestContainers.tomcat();
  }
}
