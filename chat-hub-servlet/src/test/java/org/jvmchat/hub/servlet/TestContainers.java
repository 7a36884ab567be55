package org.jvmchat.hub.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;

/**
 * Real embedded Tomcat, Jetty and Undertow serving the test hubs through {@link ServletHubHost}, on
 * port 0: {@code /hubs/test} (anonymous, stateful reconnect allowed), {@code /hubs/secure}
 * (authenticated users only, the user being the container's principal) and {@code /hubs/flood} (the
 * flood tests: the shipped invocation bounds, 64 invocations / 1 MiB; a client result holds the
 * lane 6 s at most; room for 8 MiB of replies, as once the lane frees a full queue's echoes go out
 * at once). A {@link Filter} in front plays the application's security (as Spring Security does):
 * {@code Authorization: Bearer <name>} or {@code ?access_token=<name>} makes {@code <name>} the
 * request's principal.
 */
public final class TestContainers {
  private TestContainers() {}

  /** A started container. */
  public interface Started extends AutoCloseable {
    int port();

    /** e.g. {@code http://127.0.0.1:1234/app} (no trailing slash). */
    String baseUrl();

    ServletHubHost hubs();

    @Override
    void close() throws Exception;
  }

  static final ScheduledExecutorService SCHEDULER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "test-hub-scheduler");
            t.setDaemon(true);
            return t;
          });

  /** The hosts the tests use. */
  public static ServletHubHost hubs() {
    HubOptions options =
        HubOptions.builder()
            .allowStatefulReconnects(true)
            .keepAliveInterval(Duration.ofSeconds(2))
            .clientTimeout(Duration.ofSeconds(8))
            .build();
    return ServletHubHost.builder()
        .hub("/hubs/test", () -> new TestHub(SCHEDULER), options)
        .hub(
            "/hubs/flood",
            () -> new TestHub(SCHEDULER),
            HubOptions.builder()
                .clientResultTimeout(Duration.ofSeconds(6))
                .outboundBufferLimit(8 * 1024 * 1024)
                .build())
        .hub(
            HubMapping.builder("/hubs/secure", () -> new TestHub(SCHEDULER))
                .requireAuthenticatedUser(true)
                .build())
        .build();
  }

  /** Adds the security stand-in and the hubs to {@code context} (while it starts). */
  static void configure(ServletContext context, ServletHubHost hubs) {
    FilterRegistration.Dynamic security = context.addFilter("demo-security", new DemoSecurity());
    security.setAsyncSupported(true);
    security.addMappingForUrlPatterns(
        EnumSet.allOf(jakarta.servlet.DispatcherType.class), false, "/*");
    hubs.register(context);
  }

  /** Starts embedded Tomcat (the Tomcat classes are on the class path only for its tests). */
  public static Started tomcat() throws Exception {
    return TomcatContainer.start(hubs());
  }

  /** Starts embedded Jetty at context path {@code /app}. */
  public static Started jetty() throws Exception {
    return JettyContainer.start(hubs());
  }

  /** Starts embedded Undertow at context path {@code /site}. */
  public static Started undertow() throws Exception {
    return UndertowContainer.start(hubs());
  }

  /**
   * Starts {@code tomcat}, {@code jetty}, {@code undertow} or {@code quickstart} (the Node tests'
   * launcher: prints its URL, runs until killed).
   */
  public static void main(String[] args) throws Exception {
    String kind = args.length == 0 ? "tomcat" : args[0];
    Started started =
        switch (kind) {
          case "jetty" -> jetty();
          case "undertow" -> undertow();
          case "quickstart" -> TomcatContainer.quickStart();
          default -> tomcat();
        };
    String hub = kind.equals("quickstart") ? "/hubs/chat" : "/hubs/test";
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    started.close();
                  } catch (Exception e) {
                    e.printStackTrace();
                  }
                }));
    System.out.println("listening on " + started.baseUrl() + hub + " (" + kind + ")");
    System.out.flush();
    Thread.currentThread().join();
  }

  /** The application's security, as a filter would provide it: a principal from a bearer name. */
  static final class DemoSecurity implements Filter {
    @Override
    public void doFilter(
        jakarta.servlet.ServletRequest request,
        jakarta.servlet.ServletResponse response,
        jakarta.servlet.FilterChain chain)
        throws java.io.IOException, jakarta.servlet.ServletException {
      HttpServletRequest http = (HttpServletRequest) request;
      String name = null;
      String auth = http.getHeader("Authorization");
      if (auth != null && auth.startsWith("Bearer ")) {
        name = auth.substring(7);
      } else if ("GET".equals(http.getMethod()) && http.getParameter("access_token") != null) {
        name = http.getParameter("access_token");
      }
      if (name == null || name.isEmpty()) {
        chain.doFilter(request, response);
        return;
      }
      Principal principal = new NamedPrincipal(name);
      chain.doFilter(
          new HttpServletRequestWrapper(http) {
            @Override
            public Principal getUserPrincipal() {
              return principal;
            }
          },
          response);
    }
  }

  record NamedPrincipal(String getName) implements Principal {}
}
