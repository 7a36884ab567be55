package org.jvmchat.hub.servlet;

/** The Servlet host on embedded Undertow 2.3 (the hubs in the context {@code /site}). */
class UndertowHostTest extends ContainerHostContract {
  @Override
  TestContainers.Started start() throws Exception {
    return TestContainers.undertow();
  }
}
