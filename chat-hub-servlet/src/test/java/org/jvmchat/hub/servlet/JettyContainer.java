package org.jvmchat.hub.servlet;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12 (ee10) on port 0, the hubs in the context {@code /app}. */
final class JettyContainer {
  private JettyContainer() {}

  static TestContainers.Started start(ServletHubHost hubs) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/app");
    JakartaWebSocketServletContainerInitializer.configure(context, null);
    context.addServletContainerInitializer((classes, sc) -> TestContainers.configure(sc, hubs));
    server.setHandler(context);
    server.start();
    int port = connector.getLocalPort();
    return new TestContainers.Started() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public String baseUrl() {
        return "http://127.0.0.1:" + port + "/app";
      }

      @Override
      public ServletHubHost hubs() {
        return hubs;
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }
}
