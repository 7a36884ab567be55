package org.jvmchat.spring.boot.autoconfigure;

import org.jvmchat.hub.HubServer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Node tests' launcher (src/test/node/security.test.mjs): {@link SpringBootHubsEndToEndTest}'s
 * application (Spring MVC, Spring Security with a JWT resource server and HTTP Basic, the hubs of
 * {@link TestHubs}, a controller sending through the injected {@code HubContext}), twice in one JVM
 * (the second start reuses the first's loaded classes), each on port 0: with the hubs on the
 * application's port ({@code servlet}) and on their own Netty port ({@code own-port}, tokens
 * checked by the {@code JwtDecoder} bean). Prints {@code listening <mode> hubs=<url> app=<url>} for
 * each, runs until killed.
 */
public final class SecuredSpringApp {
  private SecuredSpringApp() {}

  public static void main(String[] args) {
    for (String mode : new String[] {"servlet", "own-port"}) {
      boolean ownPort = mode.equals("own-port");
      SpringApplicationBuilder builder =
          new SpringApplicationBuilder(SpringBootHubsEndToEndTest.App.class)
              .properties(
                  "server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off");
      if (ownPort) {
        builder.properties("jvmchat.server.port=0", "jvmchat.server.host=127.0.0.1");
      }
      ConfigurableApplicationContext app = builder.run();
      String appUrl = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
      String hubs = ownPort ? "http://127.0.0.1:" + app.getBean(HubServer.class).port() : appUrl;
      Runtime.getRuntime().addShutdownHook(new Thread(app::close));
      System.out.println("listening " + mode + " hubs=" + hubs + " app=" + appUrl);
      System.out.flush();
    }
  }
}
