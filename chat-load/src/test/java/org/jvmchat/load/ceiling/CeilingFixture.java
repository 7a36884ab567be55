package org.jvmchat.load.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jvmchat.load.TestWebSocket;

/**
 * A ceiling started on a free port for one test, and the WebSocket clients the test opened on it;
 * {@link #close} closes them and stops the ceiling.
 */
final class CeilingFixture implements AutoCloseable {
  private final CeilingServer server;
  private final List<TestWebSocket> clients = new ArrayList<>();

  private CeilingFixture(CeilingServer server) {
    this.server = server;
  }

  static CeilingFixture start(Timeouts timeouts) throws InterruptedException {
    return new CeilingFixture(CeilingServer.start(0, timeouts));
  }

  /** A WebSocket to {@code path} (with its query), before the SignalR handshake. */
  TestWebSocket open(String path) {
    TestWebSocket c = TestWebSocket.signalR(URI.create("ws://127.0.0.1:" + server.port() + path));
    clients.add(c);
    return c;
  }

  /** A WebSocket to the hub whose SignalR handshake in {@code protocol} was answered. */
  TestWebSocket handshaken(String protocol) throws Exception {
    TestWebSocket c = open("/hubs/chat");
    c.sendText("{\"protocol\":\"" + protocol + "\",\"version\":1}\u001e");
    assertThat(c.until(m -> true).get(0).text()).isEqualTo("{}");
    return c;
  }

  @Override
  public void close() {
    clients.forEach(TestWebSocket::close);
    server.close();
  }
}
