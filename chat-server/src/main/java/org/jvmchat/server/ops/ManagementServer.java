package org.jvmchat.server.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port ({@code MANAGEMENT_PORT}): {@code /metrics} and the health routes on a port
 * of their own, for Prometheus and the kubelet, never exposed by the Ingress. A small JDK HTTP
 * server on two threads of its own (queue of 64, then 503), apart from the hub's event loops and
 * executor, so a scrape still answers when the hub is saturated. GET only; anything else 404/405.
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * Binds {@code host:port} (0 picks a free port) and starts serving {@code routes} (GET by path).
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public ManagementServer(String host, int port, Map<String, HttpHandler> routes) {
    try {
      this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
    } catch (IOException e) {
      throw new IllegalStateException(
          "MANAGEMENT_PORT " + port + " cannot be bound: " + e.getMessage(), e);
    }
    this.executor =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(64),
            r -> {
              Thread t = new Thread(r, "management-http");
              t.setDaemon(true);
              return t;
            },
            (r, e) -> {
              throw new java.util.concurrent.RejectedExecutionException("management port busy");
            });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, routes));
    server.start();
  }

  private static void handle(HttpExchange exchange, Map<String, HttpHandler> routes)
      throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      HttpHandler handler = routes.get(path);
      HttpResponse response;
      if (handler == null) {
        response = HttpResponse.problem(404, "Not Found", "No resource at " + path + ".");
      } else if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        response = HttpResponse.problem(405, "Method Not Allowed", null).withHeader("Allow", "GET");
      } else {
        try {
          response =
              handler.handle(
                  new HttpRequest(
                      "GET",
                      path,
                      Map.of(),
                      Map.of(),
                      Map.of(),
                      null,
                      String.valueOf(exchange.getRemoteAddress()),
                      null));
        } catch (Exception e) {
          log.warn("Management route {} failed", path, e);
          response = HttpResponse.problem(500, "Internal Server Error", null);
        }
      }
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().put(k, List.of(v)));
      byte[] body = response.body();
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(response.status(), head || body.length == 0 ? -1 : body.length);
      if (!head && body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Management request failed", e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** For log lines. */
  @Override
  public String toString() {
    return "ManagementServer[port " + port() + "]";
  }
}
