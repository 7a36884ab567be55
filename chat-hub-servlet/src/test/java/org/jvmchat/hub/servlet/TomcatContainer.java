package org.jvmchat.hub.servlet;

import java.io.File;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.jvmchat.hub.servlet.quickstart.ChatHubs;

/** Embedded Tomcat 11 on port 0, the hubs at the root context. */
final class TomcatContainer {
  private TomcatContainer() {}

  /**
   * The quick start of docs/EMBEDDING.md as a container deploys it: its {@code @WebListener} (here
   * added by name, as annotation scanning or web.xml would) registers the hubs.
   */
  static TestContainers.Started quickStart() throws Exception {
    File base = Files.createTempDirectory("servlet-quickstart").toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    tomcat.setPort(0);
    tomcat.getConnector();
    Context context = tomcat.addContext("", base.getAbsolutePath());
    context.addServletContainerInitializer(new WsSci(), null);
    context.addApplicationListener(ChatHubs.class.getName());
    tomcat.start();
    int port = tomcat.getConnector().getLocalPort();
    return new TestContainers.Started() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public String baseUrl() {
        return "http://127.0.0.1:" + port;
      }

      @Override
      public ServletHubHost hubs() {
        throw new UnsupportedOperationException("the quick start's hubs are its listener's");
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }

  static TestContainers.Started start(ServletHubHost hubs) throws Exception {
    File base = Files.createTempDirectory("servlet-tomcat").toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    tomcat.setPort(0);
    tomcat.getConnector(); // creates the default connector
    Context context = tomcat.addContext("", base.getAbsolutePath());
    // Jakarta WebSocket's ServerContainer, as Spring Boot adds it with tomcat-embed-websocket.
    context.addServletContainerInitializer(new WsSci(), null);
    context.addServletContainerInitializer(
        (classes, sc) -> TestContainers.configure(sc, hubs), null);
    tomcat.start();
    int port = tomcat.getConnector().getLocalPort();
    return new TestContainers.Started() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public String baseUrl() {
        return "http://127.0.0.1:" + port;
      }

      @Override
      public ServletHubHost hubs() {
        return hubs;
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }
}
