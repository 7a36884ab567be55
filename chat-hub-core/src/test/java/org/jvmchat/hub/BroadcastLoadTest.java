package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * A short load check of correctness only (never speed): every broadcast reaches everyone once, in
 * order.
 */
class BroadcastLoadTest {
  static final int CLIENTS = 20;
  static final int MESSAGES = 200;
  static HubServer server;

  public static class BroadcastHub extends Hub {
    public void ready() {}

    public void broadcast(String sender, int seq) {
      clients().all().send("b", sender, seq);
    }
  }

  @BeforeAll
  static void start() {
    server = TestServers.start(HubServer.builder().hub("/hubs/broadcast", BroadcastHub::new));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @Test
  void everyClientGetsEveryBroadcastExactlyOnceInPerSenderOrder() {
    String hub = TestServers.url(server, "/hubs/broadcast");
    List<TestHubClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(
            TestHubClient.connect(
                hub, i % 2 == 0 ? new JsonHubProtocol() : new MessagePackHubProtocol()));
      }
      // Every client is registered once its first invocation has been answered.
      for (TestHubClient c : clients) {
        c.invokeAndAwait("ready");
      }
      for (TestHubClient c : clients) {
        c.invokeAndAwait("broadcast", "warmup", -1);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> clients.stream().allMatch(c -> c.invocationCount("b") == CLIENTS));
      for (int seq = 0; seq < MESSAGES; seq++) {
        for (int i = 0; i < CLIENTS; i++) {
          clients.get(i).sendInvocation("broadcast", "c" + i, seq);
        }
      }
      int expected = CLIENTS + CLIENTS * MESSAGES;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> clients.stream().allMatch(c -> c.invocationCount("b") >= expected));

      for (TestHubClient c : clients) {
        Map<String, List<Integer>> bySender = new HashMap<>();
        for (HubMessage m : c.history()) {
          if (m instanceof InvocationMessage inv && inv.target().equals("b")) {
            String sender = (String) inv.arguments().get(0);
            int seq = ((Number) inv.arguments().get(1)).intValue();
            bySender.computeIfAbsent(sender, k -> new ArrayList<>()).add(seq);
          }
        }
        assertThat(c.invocationCount("b")).isEqualTo(expected);
        for (int i = 0; i < CLIENTS; i++) {
          List<Integer> seqs = bySender.get("c" + i);
          assertThat(seqs).as("from c%d", i).hasSize(MESSAGES);
          for (int seq = 0; seq < MESSAGES; seq++) {
            assertThat(seqs.get(seq)).as("message %d from c%d", seq, i).isEqualTo(seq);
          }
        }
      }
    } finally {
      clients.forEach(TestHubClient::close);
    }
  }
}
