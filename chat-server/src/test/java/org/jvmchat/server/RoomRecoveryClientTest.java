package org.jvmchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.client.chat.RoomMessage;
import org.jvmchat.client.chat.RoomRecovery;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.server.support.TestServer;
import org.jvmchat.testing.TcpProxy;

/**
 * chat-client-java's {@link RoomRecovery} against the server in this JVM: a receiver behind a TCP
 * proxy follows a room; the proxy cuts and refuses its connections while a sender writes 150 KB
 * (more than the stateful-reconnect buffer; on long polling and SSE, anything written while cut is
 * lost with the connection); every message arrives exactly once, in seq order.
 */
class RoomRecoveryClientTest {
  private TestServer server;
  private TcpProxy proxy;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new TestServer();
    proxy = new TcpProxy("127.0.0.1", URI.create(server.url()).getPort());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    proxy.close();
    server.close();
  }

  private HubConnection connection(String url, String token, HttpTransportType transport) {
    HubConnection c =
        HubConnectionBuilder.create(url + "/hubs/chat")
            .accessTokenProvider(() -> token)
            .transports(transport)
            .withAutomaticReconnect(ctx -> Duration.ofMillis(200))
            .withStatefulReconnect()
            .build();
    closing.add(c::close);
    return c;
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpTransportType.class,
      names = {"WebSockets", "ServerSentEvents", "LongPolling"})
  void everyMessageOnceInOrderAfterACutLongerThanTheBuffer(HttpTransportType transport)
      throws Exception {
    String room = server.createRoom("alice", "recovery " + transport, false);
    String proxyUrl = "http://127.0.0.1:" + proxy.port();
    String bobToken = server.token("bob", "Bob");
    HubConnection receiver = connection(proxyUrl, bobToken, transport);
    AtomicInteger reconnects = new AtomicInteger();
    receiver.onReconnected(id -> reconnects.incrementAndGet());
    List<RoomMessage> shown = new CopyOnWriteArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    RoomRecovery recovery =
        RoomRecovery.builder(receiver, URI.create(proxyUrl))
            .accessTokenProvider(() -> bobToken)
            .onError((r, e) -> errors.add(e))
            .build();
    closing.add(0, recovery);
    receiver.start().get(20, TimeUnit.SECONDS);
    receiver.invoke(Object.class, "JoinRoom", room).get(20, TimeUnit.SECONDS);
    recovery.follow(room, 0, shown::add).get(20, TimeUnit.SECONDS);

    HubConnection sender =
        connection(server.url(), server.token("alice", "Alice"), HttpTransportType.WebSockets);
    sender.start().get(20, TimeUnit.SECONDS);
    List<RoomMessage> sent = new ArrayList<>();
    send(sender, room, 0, 10, sent);
    await(() -> shown.size() == 10);
    proxy.cut();
    send(sender, room, 10, 100, sent); // 100 x 1.5 KB > the 100,000-byte buffer
    proxy.restore();
    send(sender, room, 110, 10, sent);

    await(() -> shown.size() >= sent.size());
    Thread.sleep(300); // a duplicate, if any, would arrive now
    assertThat(shown)
        .extracting(RoomMessage::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 120).boxed().toList());
    assertThat(shown).extracting(RoomMessage::id).containsExactlyElementsOf(ids(sent));
    assertThat(reconnects.get()).as("a new connection after the cut").isPositive();
    assertThat(recovery.lastSeq(room)).hasValue(120);
  }

  private static List<String> ids(List<RoomMessage> messages) {
    return messages.stream().map(RoomMessage::id).toList();
  }

  private static void send(
      HubConnection sender, String room, int from, int count, List<RoomMessage> sent)
      throws Exception {
    for (int i = from; i < from + count; i++) {
      sent.add(
          sender
              .invoke(RoomMessage.class, "SendMessage", room, "m" + i + " " + "x".repeat(1500))
              .get(20, TimeUnit.SECONDS));
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(20);
    }
  }
}
