package org.jvmchat.hub.http;

/**
 * A plain HTTP route (REST, health, static files). Runs on the server's blocking executor, never on
 * an I/O thread. An exception becomes a 500 problem response (its message is not exposed).
 */
@FunctionalInterface
public interface HttpHandler {
  HttpResponse handle(HttpRequest request) throws Exception;
}
