package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/** The handshake over WebSockets (SIGNALR.md §2). */
class HandshakeTest {
  static HubServer server;

  public static class EchoHub extends Hub {
    public String echo(String s) {
      return s;
    }
  }

  @BeforeAll
  static void start() {
    server =
        TestServers.start(
            HubServer.builder()
                .hub(
                    "/hubs/echo",
                    EchoHub::new,
                    HubOptions.builder().handshakeTimeout(Duration.ofMillis(500)).build()));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  static TestHubClient openNegotiated() {
    String hub = TestServers.url(server, "/hubs/echo");
    NegotiateResponse n = TestHubClient.negotiate(hub);
    return TestHubClient.open(
        TestHubClient.wsUrl(hub) + "?id=" + n.connectionToken(), new JsonHubProtocol());
  }

  @Test
  void successfulHandshakeIsAnsweredWithAnEmptyObjectAndRecordSeparator() {
    try (TestHubClient c = openNegotiated()) {
      c.sendText("{\"protocol\":\"json\",\"version\":1}\u001e");
      assertThat(c.awaitHandshake().error()).isNull();
      assertThat(new String(c.frames().get(0), StandardCharsets.UTF_8)).isEqualTo("{}\u001e");
    }
  }

  @Test
  void unknownProtocolIsRefusedAndTheSocketCloses() {
    try (TestHubClient c = openNegotiated()) {
      c.sendText("{\"protocol\":\"foo\",\"version\":1}\u001e");
      assertThat(c.awaitHandshake().error()).isEqualTo("The protocol 'foo' is not supported.");
      assertThat(new String(c.frames().get(0), StandardCharsets.UTF_8))
          .isEqualTo("{\"error\":\"The protocol 'foo' is not supported.\"}\u001e");
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void unsupportedVersionIsRefused() {
    try (TestHubClient c = openNegotiated()) {
      c.sendText("{\"protocol\":\"json\",\"version\":3}\u001e");
      assertThat(c.awaitHandshake().error())
          .isEqualTo("The server does not support version 3 of the 'json' protocol.");
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void malformedHandshakeIsRefusedWithAGenericError() {
    try (TestHubClient c = openNegotiated()) {
      c.sendText("{\"protocol\":\"json\"}\u001e");
      assertThat(c.awaitHandshake().error())
          .isEqualTo("An unexpected error occurred during connection handshake.");
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void noHandshakeWithinTheTimeoutIsCanceled() {
    try (TestHubClient c = openNegotiated()) {
      HandshakeResponse r = c.awaitHandshake();
      assertThat(r.error()).isEqualTo("Handshake was canceled.");
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void handshakeLargerThanTheMaximumMessageSizeIsCanceled() {
    try (TestHubClient c = openNegotiated()) {
      c.sendText("{\"protocol\":\"json\",\"version\":1,\"padding\":\"" + "p".repeat(40_000));
      assertThat(c.awaitHandshake().error()).isEqualTo("Handshake was canceled.");
      assertThat(c.awaitSocketClosed()).isIn(1000, -1);
    }
  }

  @Test
  void handshakeSplitAcrossFramesIsReassembled() {
    try (TestHubClient c = openNegotiated()) {
      c.sendText("{\"protocol\":\"js");
      c.sendText("on\",\"vers");
      c.sendText("ion\":1}\u001e");
      assertThat(c.awaitHandshake().error()).isNull();
      assertThat(c.invokeAndAwait("echo", "after").result()).isEqualTo("after");
    }
  }

  @Test
  void messagesInTheSameFrameAsTheHandshakeAreProcessed() {
    try (TestHubClient c = openNegotiated()) {
      c.sendText(
          "{\"protocol\":\"json\",\"version\":1}\u001e"
              + "{\"type\":1,\"invocationId\":\"7\",\"target\":\"echo\",\"arguments\":[\"same\"]}\u001e");
      assertThat(c.awaitHandshake().error()).isNull();
      assertThat(c.awaitCompletion("7").result()).isEqualTo("same");
    }
  }

  @Test
  void messagePackHandshakeSwitchesToBinaryMessages() {
    String hub = TestServers.url(server, "/hubs/echo");
    try (TestHubClient c = TestHubClient.connect(hub, new MessagePackHubProtocol())) {
      CompletionMessage m = c.invokeAndAwait("echo", "packed");
      assertThat(m.result()).isEqualTo("packed");
      assertThat(c.frames().get(0)).containsExactly('{', '}', 0x1e);
    }
  }
}
