package org.jvmchat.load.ceiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jvmchat.load.TestWebSocket;

/**
 * The WebSocket frames the ceiling handles itself since no protocol handler or frame aggregator
 * stays in its pipeline: a message split over continuation frames is one message, a close frame is
 * answered with a close frame, and a request for another path gets no upgrade (a 404).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CeilingFramesTest {
  private CeilingFixture ceiling;

  @BeforeEach
  void start() throws Exception {
    ceiling = CeilingFixture.start(Timeouts.DEFAULT);
  }

  @AfterEach
  void stop() {
    ceiling.close();
  }

  @Test
  void aMessageSplitOverContinuationFramesIsOneMessage() throws Exception {
    TestWebSocket c = connect("/hubs/chat");
    c.sendTextPart("{\"protocol\":\"js", false);
    c.sendTextPart("on\",\"vers", false);
    c.sendTextPart("ion\":1}\u001e", true);
    assertThat(c.next(m -> true).text()).isEqualTo("{}");

    c.sendTextPart("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Join", false);
    c.sendTextPart("Room\",\"arguments\":[\"split\"]}\u001e", true);
    String completion = c.next(m -> true).text();
    assertThat(completion).contains("\"invocationId\":\"1\"").contains("\"id\":\"split\"");
  }

  @Test
  void aCloseFrameIsAnsweredWithACloseFrame() throws Exception {
    TestWebSocket c = connect("/hubs/chat");
    c.sendClose(1000);
    assertThat(c.awaitClosed()).isEqualTo("close frame 1000");
  }

  @Test
  void aPathBelowTheHubIsUpgradedAndAnotherIsNot() throws Exception {
    TestWebSocket below = connect("/hubs/chat?id=1");
    below.sendText("{\"protocol\":\"json\",\"version\":1}\u001e");
    assertThat(below.next(m -> true).text()).isEqualTo("{}");
    assertThatThrownBy(() -> connect("/hubs/chatter")).isInstanceOf(Exception.class);
  }

  private TestWebSocket connect(String path) {
    return ceiling.open(path);
  }
}
