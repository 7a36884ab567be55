package org.jvmchat.load.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jvmchat.load.TestWebSocket;
import org.jvmchat.load.TestWebSocket.Msg;

/**
 * The ceiling sends {@code UserJoined} as the chat server does: when a connection newly joins a
 * room, every other member gets exactly one, in its own protocol, with the chat server's {@code
 * UserEvent} shape; the joiner gets none, and a repeated join sends none. Connections land on the
 * worker loops round robin, so the members here are on more than one loop where there are two.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CeilingUserJoinedTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
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
  void theOtherMembersGetOneUserJoinedPerNewJoinInTheirProtocolAndTheJoinerNone() throws Exception {
    String room = "room-uj";
    TestWebSocket alice = json();
    invokeJson(alice, "1", "JoinRoom", room);
    completion(alice, "1");

    TestWebSocket bob = msgPack();
    invokeMsgPack(bob, "1", "JoinRoom", room);
    completion(bob, "1");

    // Alice (JSON) gets Bob's UserJoined: the UserEvent's fields, in its order.
    List<Msg> toAlice = alice.until(m -> isJson(m, "UserJoined"));
    assertThat(toAlice).hasSize(1);
    JsonNode joined = MAPPER.readTree(toAlice.get(0).text());
    assertThat(joined.get("target").asText()).isEqualTo("UserJoined");
    assertThat(joined.get("type").asInt()).isEqualTo(1);
    JsonNode event = joined.get("arguments").get(0);
    assertThat(joined.get("arguments")).hasSize(1);
    assertThat(fieldNames(event)).containsExactly("roomId", "userId", "userName");
    String bobId = event.get("userId").asText();
    assertThat(event.get("roomId").asText()).isEqualTo(room);
    assertThat(bobId).startsWith("ceiling-");
    assertThat(event.get("userName").asText()).isEqualTo(bobId);

    // A repeated join sends nothing: Bob's next message reaches Alice behind anything his join sent
    // (same loop order), and nothing but it arrives.
    invokeMsgPack(bob, "2", "JoinRoom", room);
    completion(bob, "2");
    invokeMsgPack(bob, "3", "SendMessage", room, "after rejoin");
    List<Msg> afterRejoin = alice.until(m -> isJson(m, "ReceiveMessage"));
    assertThat(afterRejoin).hasSize(1);
    JsonNode message = MAPPER.readTree(afterRejoin.get(0).text()).get("arguments").get(0);
    assertThat(message.get("senderId").asText()).isEqualTo(bobId);

    // Carol (JSON) joins: Alice gets one UserJoined in JSON, Bob one in MessagePack, byte for byte
    // the chat server's shape; Carol gets none.
    TestWebSocket carol = json();
    invokeJson(carol, "1", "JoinRoom", room);
    completion(carol, "1");
    invokeJson(carol, "2", "SendMessage", room, "after carol joined");

    List<Msg> aliceGot = alice.until(m -> isJson(m, "ReceiveMessage"));
    assertThat(aliceGot).hasSize(2);
    JsonNode carolJoined = MAPPER.readTree(aliceGot.get(0).text());
    assertThat(carolJoined.get("target").asText()).isEqualTo("UserJoined");
    String carolId = carolJoined.get("arguments").get(0).get("userId").asText();
    assertThat(carolId).isNotEqualTo(bobId).startsWith("ceiling-");
    assertThat(
            MAPPER
                .readTree(aliceGot.get(1).text())
                .get("arguments")
                .get(0)
                .get("senderId")
                .asText())
        .isEqualTo(carolId);
    assertThat(aliceGot.get(0).text())
        .isEqualTo(
            "{\"type\":1,\"target\":\"UserJoined\",\"arguments\":[{\"roomId\":\""
                + room
                + "\",\"userId\":\""
                + carolId
                + "\",\"userName\":\""
                + carolId
                + "\"}]}");

    List<Msg> bobGot = bob.until(m -> isMsgPack(m, "ReceiveMessage") && !isOwn(m, "after rejoin"));
    // Bob: his completions, his own message, then Carol's UserJoined and her message.
    List<Msg> bobEvents = bobGot.stream().filter(m -> isMsgPack(m, "UserJoined")).toList();
    assertThat(bobEvents).hasSize(1);
    assertThat(bobEvents.get(0).binary()).isEqualTo(userJoinedMsgPack(room, carolId));

    List<Msg> carolGot = carol.until(m -> isCompletion(m, "2"));
    assertThat(carolGot).noneMatch(m -> isJson(m, "UserJoined"));
  }

  @Test
  void theFirstMemberOfARoomAndMembersOfOtherRoomsGetNothing() throws Exception {
    TestWebSocket alone = json();
    invokeJson(alone, "1", "JoinRoom", "room-a");
    completion(alone, "1");
    TestWebSocket elsewhere = msgPack();
    invokeMsgPack(elsewhere, "1", "JoinRoom", "room-b");
    completion(elsewhere, "1");
    invokeJson(alone, "2", "SendMessage", "room-a", "hello");
    assertThat(alone.until(m -> isCompletion(m, "2"))).noneMatch(m -> isJson(m, "UserJoined"));
    invokeMsgPack(elsewhere, "2", "SendMessage", "room-b", "hello");
    assertThat(elsewhere.until(m -> isMsgPackCompletion(m, "2")))
        .noneMatch(m -> isMsgPack(m, "UserJoined"));
  }

  /** The chat server's MessagePack UserJoined (HubDtoMessagePackTest's vector, other strings). */
  private static byte[] userJoinedMsgPack(String room, String userId) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0x96, 0x01, (byte) 0x80, (byte) 0xc0});
    TestWebSocket.msgPackStr(b, "UserJoined");
    b.writeBytes(new byte[] {(byte) 0x91, (byte) 0x83});
    TestWebSocket.msgPackStr(b, "roomId");
    TestWebSocket.msgPackStr(b, room);
    TestWebSocket.msgPackStr(b, "userId");
    TestWebSocket.msgPackStr(b, userId);
    TestWebSocket.msgPackStr(b, "userName");
    TestWebSocket.msgPackStr(b, userId);
    b.write(0x90);
    return b.toByteArray();
  }

  private TestWebSocket json() throws Exception {
    return handshaken("json");
  }

  private TestWebSocket msgPack() throws Exception {
    return handshaken("messagepack");
  }

  private TestWebSocket handshaken(String protocol) throws Exception {
    return ceiling.handshaken(protocol);
  }

  private static void invokeJson(TestWebSocket c, String id, String target, String... args)
      throws Exception {
    c.sendText(
        MAPPER.writeValueAsString(
                MAPPER
                    .createObjectNode()
                    .put("type", 1)
                    .put("invocationId", id)
                    .put("target", target)
                    .set("arguments", MAPPER.valueToTree(args)))
            + "\u001e");
  }

  /** [1, {}, id, target, [args]] with its VarInt length prefix, as the JS client writes it. */
  private static void invokeMsgPack(TestWebSocket c, String id, String target, String... args) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {(byte) 0x95, 0x01, (byte) 0x80});
    TestWebSocket.msgPackStr(body, id);
    TestWebSocket.msgPackStr(body, target);
    body.write(0x90 | args.length);
    for (String a : args) {
      TestWebSocket.msgPackStr(body, a);
    }
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    framed.write(body.size()); // < 128: one VarInt byte
    framed.writeBytes(body.toByteArray());
    c.sendBinary(framed.toByteArray());
  }

  /** Waits for the completion of invocation {@code id}, in either protocol, without error. */
  private static void completion(TestWebSocket c, String id) throws Exception {
    Msg m = c.next(x -> isCompletion(x, id) || isMsgPackCompletion(x, id));
    if (m.text() != null) {
      assertThat(MAPPER.readTree(m.text()).has("error")).as(m.text()).isFalse();
    } else {
      // [3, {}, id, resultKind, ...]: 3 is a result, 1 an error
      assertThat(m.binary()[4 + id.length()]).isEqualTo((byte) 3);
    }
  }

  private static boolean isJson(Msg m, String target) {
    return m.text() != null && m.text().contains("\"target\":\"" + target + "\"");
  }

  private static boolean isCompletion(Msg m, String id) {
    return m.text() != null
        && m.text().startsWith("{\"type\":3,")
        && m.text().contains("\"invocationId\":\"" + id + "\"");
  }

  /** Invocation [1, {}, nil, target, ...] whose target is a fixstr. */
  private static boolean isMsgPack(Msg m, String target) {
    byte[] b = m.binary();
    if (b == null || b.length < 5 || b[1] != 1) {
      return false;
    }
    int length = b[4] & 0x1f;
    return b.length >= 5 + length
        && new String(b, 5, length, StandardCharsets.UTF_8).equals(target);
  }

  /** Completion [3, {}, id, ...] with a fixstr id. */
  private static boolean isMsgPackCompletion(Msg m, String id) {
    byte[] b = m.binary();
    if (b == null || b.length < 4 + id.length() || b[1] != 3) {
      return false;
    }
    return (b[3] & 0x1f) == id.length()
        && new String(b, 4, id.length(), StandardCharsets.UTF_8).equals(id);
  }

  private static boolean isOwn(Msg m, String content) {
    return new String(m.binary(), StandardCharsets.UTF_8).contains(content);
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
