package org.jvmchat.load.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jvmchat.load.TestWebSocket;
import org.jvmchat.load.TestWebSocket.Msg;

/**
 * The ceiling's keep-alive and client timeout, done by one sweep per event loop instead of a timer
 * per connection: a connection nothing was written to gets the SignalR ping of its protocol, one
 * nothing was read from for the client timeout is closed, one that keeps talking stays; WebSocket
 * pings are answered with pongs. Short timeouts here (the defaults are SignalR's 15 s and 30 s);
 * the server's own pings are the test's clock, nothing sleeps.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CeilingKeepAliveTest {
  private static final Timeouts SHORT =
      new Timeouts(Duration.ofMillis(100), Duration.ofMillis(600), Duration.ofMillis(20));

  private CeilingFixture ceiling;

  @BeforeEach
  void start() throws Exception {
    ceiling = CeilingFixture.start(SHORT);
  }

  @AfterEach
  void stop() {
    ceiling.close();
  }

  @Test
  void aSilentConnectionIsPingedThenClosedAfterTheClientTimeout() throws Exception {
    TestWebSocket silent = connect("json");
    silent.sendText(
        "{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinRoom\",\"arguments\":[\"r\"]}\u001e");
    silent.until(m -> m.text() != null && m.text().contains("\"invocationId\":\"1\""));

    assertThat(silent.next(m -> true).text()).isEqualTo("{\"type\":6}");
    assertThat(silent.awaitClosed()).isNotNull();
  }

  @Test
  void aMessagePackConnectionGetsTheMessagePackPing() throws Exception {
    TestWebSocket c = connect("messagepack");
    assertThat(c.next(m -> true).binary()).containsExactly(0x91, 0x06);
  }

  @Test
  void aConnectionThatKeepsSendingStaysOpenPastTheClientTimeout() throws Exception {
    TestWebSocket talking = connect("json");
    long end = System.nanoTime() + 3 * SHORT.clientTimeout().toNanos();
    int pings = 0;
    while (System.nanoTime() < end) {
      // Answer each of the server's pings (every keep-alive interval) with one of ours.
      talking.until(CeilingKeepAliveTest::isPing);
      talking.sendText("{\"type\":6}\u001e");
      pings++;
    }
    assertThat(pings).isGreaterThan(1);
    talking.sendText(
        "{\"type\":1,\"invocationId\":\"2\",\"target\":\"JoinRoom\",\"arguments\":[\"r\"]}\u001e");
    talking.until(m -> m.text() != null && m.text().contains("\"invocationId\":\"2\""));
    assertThat(talking.isClosed()).isFalse();
  }

  @Test
  void aWebSocketPingIsAnsweredWithAPongOfTheSamePayload() throws Exception {
    TestWebSocket c = connect("json");
    byte[] payload = "are you there".getBytes(StandardCharsets.US_ASCII);
    assertThat(c.ping(payload)).isEqualTo(payload);
  }

  private static boolean isPing(Msg m) {
    return "{\"type\":6}".equals(m.text());
  }

  private TestWebSocket connect(String protocol) throws Exception {
    return ceiling.handshaken(protocol);
  }
}
