package org.jvmchat.hub.servlet;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.handlers.PathHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import io.undertow.websockets.extensions.PerMessageDeflateHandshake;
import io.undertow.websockets.jsr.WebSocketDeploymentInfo;
import jakarta.servlet.ServletContainerInitializer;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Embedded Undertow 2.3 on port 0, the hubs in the context {@code /site}. Jakarta WebSocket is
 * Undertow's {@code undertow-websockets-jsr}, deployed by its {@code WebSocketDeploymentInfo}
 * attribute as Spring Boot and WildFly do, with Undertow's defaults (messages delivered on the XNIO
 * I/O thread) and, as WildFly's default, {@code permessage-deflate} installed (Undertow offers an
 * installed extension only to endpoints whose configuration lists it, so the programmatic upgrade
 * negotiates none here even without the host's refusal; Tomcat and Jetty would accept it).
 */
final class UndertowContainer {
  private UndertowContainer() {}

  /** Adds the test hubs while the context starts. */
  public static final class HubsInitializer implements ServletContainerInitializer {
    private final ServletHubHost hubs;

    HubsInitializer(ServletHubHost hubs) {
      this.hubs = hubs;
    }

    @Override
    public void onStartup(Set<Class<?>> classes, jakarta.servlet.ServletContext context) {
      TestContainers.configure(context, hubs);
    }
  }

  static TestContainers.Started start(ServletHubHost hubs) throws Exception {
    PathHandler root = Handlers.path();
    Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(root).build();
    server.start();
    DeploymentManager manager;
    try {
      WebSocketDeploymentInfo webSockets =
          new WebSocketDeploymentInfo()
              .setWorker(server.getWorker())
              .setBuffers(new DefaultByteBufferPool(true, 16 * 1024))
              .addExtension(new PerMessageDeflateHandshake());
      DeploymentInfo deployment =
          Servlets.deployment()
              .setClassLoader(UndertowContainer.class.getClassLoader())
              .setContextPath("/site")
              .setDeploymentName("hubs.war")
              .addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME, webSockets)
              .addServletContainerInitializer(
                  new ServletContainerInitializerInfo(
                      HubsInitializer.class,
                      new ImmediateInstanceFactory<>(new HubsInitializer(hubs)),
                      Set.of()));
      manager = Servlets.defaultContainer().addDeployment(deployment);
      manager.deploy();
      root.addPrefixPath("/site", manager.start());
    } catch (Exception | Error e) {
      server.stop();
      throw e;
    }
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    DeploymentManager deployed = manager;
    return new TestContainers.Started() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public String baseUrl() {
        return "http://127.0.0.1:" + port + "/site";
      }

      @Override
      public ServletHubHost hubs() {
        return hubs;
      }

      @Override
      public void close() throws Exception {
        deployed.stop();
        deployed.undeploy();
        server.stop();
      }
    };
  }
}
