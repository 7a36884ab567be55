package org.jvmchat.hub.http;

/**
 * Around every plain route's handler (tracing, logging, timing), on the executor the handler runs
 * on; calls {@code next} to continue. Added with {@link
 * org.jvmchat.hub.HubServer.Builder#routeInterceptor}.
 */
@FunctionalInterface
public interface HttpRouteInterceptor {
  HttpResponse intercept(HttpRoute route, HttpRequest request, HttpHandler next) throws Exception;
}
