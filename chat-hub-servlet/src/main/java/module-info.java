/**
 * The hub library on a Servlet 6 container: {@code org.jvmchat.hub.servlet} ({@code
 * ServletHubHost}, {@code ServletAuthenticator}); {@code org.jvmchat.hub.servlet.internal} is not
 * exported. Built on the host seam chat-hub-core exports to this module only. The container
 * provides the Jakarta Servlet and WebSocket API modules ({@code jakarta.servlet}, {@code
 * jakarta.websocket}): on the module path that needs their API jars (Jetty 12 uses them); Tomcat's
 * embedded jar bundles the API classes instead, so with it stay on the class path.
 */
module org.jvmchat.hub.servlet {
  requires transitive org.jvmchat.hub;
  requires transitive jakarta.servlet;
  requires jakarta.websocket; // and, transitively, jakarta.websocket.client
  requires org.slf4j;

  exports org.jvmchat.hub.servlet;
}
