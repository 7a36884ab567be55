package org.jvmchat.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.jvmchat.client.testing.FakeHubServer;

/** The feature tour against the in-test fake server. */
class FakeServerTourTest extends TourContractTest {
  private FakeHubServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = new FakeHubServer();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected String tourUrl() {
    return server.url().toString();
  }
}
