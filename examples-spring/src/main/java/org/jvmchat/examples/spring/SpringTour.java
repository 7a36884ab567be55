package org.jvmchat.examples.spring;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jvmchat.examples.tour.TourHub;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.filter.CorsFilter;

/**
 * The protocol feature tour as a Spring Boot application: the feature tour's own {@link TourHub} at
 * {@code /hubs/tour} and Spring MVC controllers ({@code GET /hello}, the quick start's {@code
 * /hubs/chat} and {@code POST /notify}) on the one port given by {@code PORT} (default 8080; 0
 * picks a free one), through jvmchat's Servlet host on embedded Tomcat. The feature tour's {@code
 * TOUR_*} environment variables set the same hub options (see application.properties). Logs {@code
 * Spring tour listening on http://localhost:<port>/hubs/tour} once ready.
 */
@SpringBootApplication
public class SpringTour {
  private static final Logger log = LoggerFactory.getLogger(SpringTour.class);

  public static void main(String[] args) {
    SpringApplication.run(SpringTour.class, args);
  }

  /** Paces the Counter stream, as in the feature tour. */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService tourScheduler() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "tour-counter");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * The feature tour hub, reused as it is: a {@link HubMapping} bean, with the options of the
   * {@code jvmchat.hub.*} properties.
   */
  @Bean
  HubMapping tourHub(ScheduledExecutorService tourScheduler, HubOptions jvmchatHubOptions) {
    return HubMapping.builder("/hubs/tour", () -> new TourHub(tourScheduler))
        .options(jvmchatHubOptions)
        .build();
  }

  /**
   * Any origin may call the hubs from a browser, as the feature tour allows: on the application's
   * port CORS is the application's, here Spring's {@link CorsFilter} on the hub paths (the origin
   * echoed with credentials, which the SignalR clients send; preflights answered by the filter).
   */
  @Bean
  CorsFilter hubsCors() {
    CorsConfiguration cors = new CorsConfiguration();
    cors.addAllowedOriginPattern("*");
    cors.addAllowedHeader("*");
    cors.setAllowedMethods(List.of("GET", "POST", "DELETE", "OPTIONS"));
    cors.setAllowCredentials(true);
    cors.setMaxAge(600L);
    // By the request URI: a path pattern source would see only the path within the hub servlet's
    // mapping (e.g. /negotiate), not /hubs/...
    return new CorsFilter(
        request ->
            request.getRequestURI().startsWith(request.getContextPath() + "/hubs/") ? cors : null);
  }

  /** The one ready line that scripts and tests wait for. */
  @EventListener(ApplicationReadyEvent.class)
  void ready(ApplicationReadyEvent event) {
    Environment env = event.getApplicationContext().getEnvironment();
    log.info(
        "Spring tour listening on http://localhost:{}/hubs/tour (GET /hello, hub /hubs/chat)",
        env.getProperty("local.server.port"));
  }
}
