package org.jvmchat.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jvmchat.load.TestWebSocket.Msg;
import org.jvmchat.load.internal.ServerProcess;

/**
 * The socket.io peer ({@code socketio-chat-server.mjs}, a node child) sends {@code userJoined} as
 * the chat server sends {@code UserJoined}: when a socket newly joins a room, every other socket in
 * it gets exactly one, {@code {roomId, userId, userName}}; the joiner gets none, and a repeated
 * join sends none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketIoPeerIT {
  private static ServerProcess server;
  private final List<TestWebSocket> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = ServerProcess.start(Kind.SOCKETIO, LoadIT.launch(), "it-socketio-peer");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theOtherSocketsGetOneUserJoinedPerNewJoinAndTheJoinerNone() throws Exception {
    try {
      TestWebSocket alice = connect("alice");
      alice.sendText("421[\"join\",\"r1\"]");
      alice.next(m -> m.text().equals("431[{\"ok\":true}]"));

      TestWebSocket bob = connect("bob");
      bob.sendText("421[\"join\",\"r1\"]");
      List<Msg> bobJoin = bob.until(m -> m.text().equals("431[{\"ok\":true}]"));
      List<Msg> toAlice = alice.until(m -> m.text().startsWith("42[\"userJoined\""));
      assertThat(toAlice).hasSize(1);
      assertThat(toAlice.get(0).text())
          .isEqualTo(
              "42[\"userJoined\",{\"roomId\":\"r1\",\"userId\":\"bob\",\"userName\":\"bob\"}]");

      // A repeated join sends nothing: Bob's next message reaches Alice behind anything it sent.
      bob.sendText("422[\"join\",\"r1\"]");
      bobJoin.addAll(bob.until(m -> m.text().equals("432[{\"ok\":true}]")));
      bob.sendText("423[\"send\",{\"roomId\":\"r1\",\"content\":\"after rejoin\"}]");
      List<Msg> afterRejoin = alice.until(m -> m.text().startsWith("42[\"message\""));
      assertThat(afterRejoin).hasSize(1);
      assertThat(afterRejoin.get(0).text()).contains("\"senderId\":\"bob\"");
      bobJoin.addAll(bob.until(m -> m.text().startsWith("433[")));
      assertThat(bobJoin).noneMatch(m -> m.text().contains("userJoined"));
    } finally {
      clients.forEach(TestWebSocket::close);
    }
  }

  /** Engine.IO open, then the Socket.IO connect to the default namespace. */
  private TestWebSocket connect(String userId) throws Exception {
    TestWebSocket c =
        TestWebSocket.socketIo(
            URI.create(
                "ws://127.0.0.1:"
                    + server.port()
                    + "/socket.io/?EIO=4&transport=websocket&userId="
                    + userId));
    clients.add(c);
    c.next(m -> m.text().startsWith("0{"));
    c.sendText("40");
    c.next(m -> m.text().startsWith("40"));
    return c;
  }
}
