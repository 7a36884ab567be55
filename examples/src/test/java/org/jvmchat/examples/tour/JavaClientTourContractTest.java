package org.jvmchat.examples.tour;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.jvmchat.client.TourContractTest;
import org.jvmchat.hub.HubServer;

/**
 * chat-client-java's contract checks of the feature tour (every transport and protocol: Echo, Add,
 * Fail, Counter with and without cancel, Sum, AskClient, Broadcast) against the real tour server,
 * started in this JVM on a free port.
 */
class JavaClientTourContractTest extends TourContractTest {
  private static HubServer server;

  @BeforeAll
  static void startServer() {
    server = FeatureTour.start(0, JavaClientTourTest.TOUR_OPTIONS);
  }

  @AfterAll
  static void stopServer() {
    server.stop(Duration.ofSeconds(2));
  }

  @Override
  protected String tourUrl() {
    return "http://127.0.0.1:" + server.port() + "/hubs/tour";
  }
}
