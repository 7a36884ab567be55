package org.jvmchat.client;

/**
 * Handles an invocation from the server that expects no answer. Registered with {@link
 * HubConnection#on(String, MessageHandler, java.lang.reflect.Type...)}.
 */
@FunctionalInterface
public interface MessageHandler {
  /**
   * @param arguments the invocation's arguments, bound to the parameter types given at registration
   *     (a fresh array per call)
   * @throws Exception is logged; it never closes the connection
   */
  void handle(Object[] arguments) throws Exception;
}
