package org.jvmchat.hub.servlet.quickstart;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import org.jvmchat.hub.servlet.ServletHubHost;

/**
 * docs/EMBEDDING.md's Servlet container quick start: the hubs on the container's port, registered
 * when the web application starts and stopped with it.
 */
@WebListener
public class ChatHubs implements ServletContextListener {
  private final ServletHubHost hubs =
      ServletHubHost.builder().hub("/hubs/chat", ChatHub::new).build();

  @Override
  public void contextInitialized(ServletContextEvent event) {
    hubs.register(event.getServletContext());
  }
}
