package org.jvmchat.hub;

/** Starting in-JVM hub servers for tests: loopback, port 0. */
final class TestServers {
  static {
    // Tests await conditions, never sleep; poll often so awaiting costs little.
    org.awaitility.Awaitility.setDefaultPollDelay(java.time.Duration.ZERO);
    org.awaitility.Awaitility.setDefaultPollInterval(java.time.Duration.ofMillis(10));
  }

  private TestServers() {}

  static HubServer start(HubServer.Builder builder) {
    return builder.host("127.0.0.1").port(0).executorThreads(16).build().start();
  }

  static String url(HubServer server, String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }
}
