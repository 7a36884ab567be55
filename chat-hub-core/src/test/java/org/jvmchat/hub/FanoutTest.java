package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.TestHubClient.HttpResult;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/**
 * Group broadcasts delivered per event loop (the fan-out fast path): every member on every loop
 * gets every broadcast once and in order, interleaved with per-connection sends in the order they
 * were made; a receiver that does not read falls back to its queue and its bound closes it; a
 * stateful receiver still gets what it missed replayed. Asserts behaviour only.
 */
class FanoutTest {
  static HubServer server;
  static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

  public static class FanHub extends Hub {
    public void join(String group) {
      groups().addToGroup(context().connectionId(), group).join();
    }

    /** To the caller, the group, the caller again; then the completion. */
    public int step(String group, String sender, int seq) {
      clients().caller().send("before", sender, seq).join();
      clients().group(group).send("b", sender, seq).join();
      clients().caller().send("after", sender, seq).join();
      return seq;
    }

    public void sendThenAbort(String group, int seq) {
      clients().group(group).send("last", seq).join();
      context().abort();
    }

    public String echo(String s) {
      return s;
    }

    public void broadcast(String group, int seq, String payload) {
      clients().group(group).send("tick", seq, payload).join();
    }

    @Override
    public void onConnected() {
      events.add("connected:" + context().connectionId());
    }

    @Override
    public void onDisconnected(Throwable error) {
      events.add("disconnected:" + context().connectionId());
    }
  }

  @BeforeAll
  static void start() {
    HubOptions stateful =
        HubOptions.builder()
            .allowStatefulReconnects(true)
            .disconnectTimeout(Duration.ofSeconds(10))
            .build();
    server =
        TestServers.start(
            HubServer.builder()
                .hub("/hubs/fan", FanHub::new)
                .hub(
                    "/hubs/slow",
                    FanHub::new,
                    HubOptions.builder().outboundBufferLimit(256 * 1024).build())
                .hub("/hubs/stateful", FanHub::new, stateful));
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @BeforeEach
  void clear() {
    events.clear();
  }

  static List<InvocationMessage> invocations(TestHubClient c, String target) {
    List<InvocationMessage> list = new ArrayList<>();
    for (HubMessage m : c.history()) {
      if (m instanceof InvocationMessage i && i.target().equals(target)) {
        list.add(i);
      }
    }
    return list;
  }

  static int intArg(InvocationMessage m, int i) {
    return ((Number) m.arguments().get(i)).intValue();
  }

  @Test
  void everyMemberOnEveryLoopGetsEveryBroadcastOnceInOrderBetweenTheCallersOwnMessages() {
    String hub = TestServers.url(server, "/hubs/fan");
    int receivers = 24; // the server runs 2 event loops per core: members on several of them
    int senders = 4;
    int messages = 150;
    List<TestHubClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < receivers; i++) {
        TestHubClient c =
            TestHubClient.connect(
                hub, i % 2 == 0 ? new JsonHubProtocol() : new MessagePackHubProtocol());
        c.invokeAndAwait("join", "room");
        clients.add(c);
      }
      // The senders are the first members: each runs its steps one after the other, all at once.
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        TestHubClient sender = clients.get(s);
        String name = "s" + s;
        Thread t =
            new Thread(
                () -> {
                  for (int seq = 0; seq < messages; seq++) {
                    sender.invokeAndAwait("step", "room", name, seq);
                  }
                });
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join(120_000);
        assertThat(t.isAlive()).isFalse();
      }
      int expected = senders * messages;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> clients.stream().allMatch(c -> c.invocationCount("b") >= expected));

      for (TestHubClient c : clients) {
        Map<String, List<Integer>> bySender = new HashMap<>();
        for (InvocationMessage m : invocations(c, "b")) {
          bySender
              .computeIfAbsent((String) m.arguments().get(0), k -> new ArrayList<>())
              .add(intArg(m, 1));
        }
        assertThat(c.invocationCount("b")).isEqualTo(expected);
        for (int s = 0; s < senders; s++) {
          List<Integer> seqs = bySender.get("s" + s);
          assertThat(seqs).as("from s%d", s).hasSize(messages);
          for (int seq = 0; seq < messages; seq++) {
            assertThat(seqs.get(seq)).as("message %d from s%d", seq, s).isEqualTo(seq);
          }
        }
      }
      // Each sender: before(n) < b(n) < after(n) < completion(n) < before(n + 1).
      for (int s = 0; s < senders; s++) {
        TestHubClient sender = clients.get(s);
        String name = "s" + s;
        List<String> order = new ArrayList<>();
        for (HubMessage m : sender.history()) {
          if (m instanceof InvocationMessage i && name.equals(i.arguments().get(0))) {
            order.add(i.target() + ":" + intArg(i, 1));
          } else if (m instanceof CompletionMessage cm && cm.result() instanceof Number n) {
            order.add("done:" + n.intValue());
          }
        }
        List<String> wanted = new ArrayList<>();
        for (int seq = 0; seq < messages; seq++) {
          wanted.addAll(List.of("before:" + seq, "b:" + seq, "after:" + seq, "done:" + seq));
        }
        assertThat(order).as("what %s got of its own steps", name).isEqualTo(wanted);
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    } finally {
      clients.forEach(TestHubClient::close);
    }
  }

  @Test
  void aBroadcastSentBeforeTheSenderAbortsReachesItBeforeItsClose() {
    String hub = TestServers.url(server, "/hubs/fan");
    for (int round = 0; round < 20; round++) {
      try (TestHubClient c = TestHubClient.connect(hub)) {
        c.invokeAndAwait("join", "last-" + round);
        c.sendInvocation("sendThenAbort", "last-" + round, round);
        c.awaitClose();
        List<InvocationMessage> last = invocations(c, "last");
        assertThat(last).as("round %d", round).hasSize(1);
        HubMessage end = c.history().get(c.history().size() - 1);
        assertThat(end).isInstanceOf(org.jvmchat.protocol.CloseMessage.class);
      }
    }
  }

  @Test
  void aMemberThatDoesNotReadFallsBackToItsQueueAndItsBoundClosesIt() throws Exception {
    String hub = TestServers.url(server, "/hubs/slow");
    NegotiateResponse n = TestHubClient.negotiate(hub);
    try (TestHubClient good = TestHubClient.connect(hub);
        RawWebSocket slow =
            new RawWebSocket(server.port(), "/hubs/slow?id=" + n.connectionToken(), 4096)) {
      assertThat(slow.upgradeResponse()).startsWith("HTTP/1.1 101");
      slow.sendText("{\"protocol\":\"json\",\"version\":1}\u001e");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> events.contains("connected:" + n.connectionId()));
      server.hubContext("/hubs/slow").groups().addToGroup(n.connectionId(), "room").join();
      good.invokeAndAwait("join", "room");

      String payload = "p".repeat(4096);
      int sent = 0;
      int maxBatches = 2000; // 2000 x 8 x 4 KiB = 64 MiB: far beyond any socket buffer
      for (int batch = 0;
          batch < maxBatches && !events.contains("disconnected:" + n.connectionId());
          batch++) {
        for (int i = 0; i < 8; i++) {
          server
              .hubContext("/hubs/slow")
              .clients()
              .group("room")
              .send("tick", sent++, payload)
              .join();
        }
        int expected = sent;
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> good.invocationCount("tick") == expected);
      }
      assertThat(events).contains("disconnected:" + n.connectionId());
      // Closed well before all that data piled up: the server did not buffer it.
      assertThat(sent).isLessThan(maxBatches * 8);
      List<InvocationMessage> ticks = invocations(good, "tick");
      assertThat(ticks).hasSize(sent);
      for (int i = 0; i < sent; i++) {
        assertThat(intArg(ticks.get(i), 0)).isEqualTo(i);
      }
      assertThat(good.invokeAndAwait("echo", "still here")).isNotNull();
    }
  }

  @Test
  void aStatefulMemberGetsTheBroadcastsItMissedReplayedAfterReconnecting() {
    String hub = TestServers.url(server, "/hubs/stateful");
    HttpResult r =
        TestHubClient.post(hub + "/negotiate?negotiateVersion=1&useStatefulReconnect=true", "");
    NegotiateResponse n = NegotiateResponse.parse(r.body().getBytes(StandardCharsets.UTF_8));
    String url = TestHubClient.wsUrl(hub) + "?id=" + n.connectionToken();
    TestHubClient c = TestHubClient.open(url, new JsonHubProtocol());
    try (TestHubClient plain = TestHubClient.connect(hub)) {
      c.handshake("json", 2);
      c.invokeAndAwait("join", "room");
      plain.invokeAndAwait("join", "room");
      plain.invokeAndAwait("broadcast", "room", 1, "x");
      plain.invokeAndAwait("broadcast", "room", 2, "x");
      await().atMost(Duration.ofSeconds(10)).until(() -> c.invocationCount("tick") == 2);
      c.cancel();
      plain.invokeAndAwait("broadcast", "room", 3, "x");
      plain.invokeAndAwait("broadcast", "room", 4, "x");

      try (TestHubClient resumed = TestHubClient.resume(url, new JsonHubProtocol())) {
        await().atMost(Duration.ofSeconds(10)).until(() -> resumed.invocationCount("tick") >= 4);
        List<HubMessage> got =
            resumed.history().stream()
                .filter(
                    m ->
                        m instanceof SequenceMessage
                            || (m instanceof InvocationMessage i && i.target().equals("tick")))
                .toList();
        // Sequence, then every tick not acknowledged (1 and 2 were never acked), then 3 and 4.
        assertThat(got.get(0)).isInstanceOf(SequenceMessage.class);
        List<Integer> seqs = new ArrayList<>();
        for (HubMessage m : got.subList(1, got.size())) {
          seqs.add(intArg((InvocationMessage) m, 0));
        }
        assertThat(seqs).containsExactly(1, 2, 3, 4);
      }
      List<Integer> plainSeqs = new ArrayList<>();
      for (InvocationMessage m : invocations(plain, "tick")) {
        plainSeqs.add(intArg(m, 0));
      }
      assertThat(plainSeqs).containsExactly(1, 2, 3, 4);
    } finally {
      c.close();
    }
  }
}
