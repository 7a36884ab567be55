package org.jvmchat.server.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * Byte-exact MessagePack vectors for every argument and result type the chat hub sends
 * (CONTRACT.md): the prepared writers must produce exactly these bytes, which are also what the
 * payload mapper (Jackson) writes, and the prepared readers must bind them back to the records.
 */
class HubDtoMessagePackTest {
  private static final Instant AT = Instant.parse("2026-11-28T03:15:42.123Z");
  private static final MessageDto MESSAGE =
      new MessageDto("m1", "r1", "alice", "Alice", "Hi there", "user", AT);

  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of(
            "ReceiveMessage(Message)",
            InvocationMessage.send("ReceiveMessage", MESSAGE),
            MessageDto.class,
            "75 96 01 80 c0 ae 52 65 63 65 69 76 65 4d 65 73 73 61 67 65 91 87 a2 69 64 a2 6d 31"
                + " a6 72 6f 6f 6d 49 64 a2 72 31 a8 73 65 6e 64 65 72 49 64 a5 61 6c 69 63 65 aa 73 65"
                + " 6e 64 65 72 4e 61 6d 65 a5 41 6c 69 63 65 a7 63 6f 6e 74 65 6e 74 a8 48 69 20 74 68"
                + " 65 72 65 a4 6b 69 6e 64 a4 75 73 65 72 a9 63 72 65 61 74 65 64 41 74 d7 ff 1d 53 53"
                + " 00 6b 0a 47 5e 90"),
        Arguments.of(
            "UserJoined(UserEvent)",
            InvocationMessage.send("UserJoined", new UserEvent("r1", "bob", "Bob")),
            UserEvent.class,
            "34 96 01 80 c0 aa 55 73 65 72 4a 6f 69 6e 65 64 91 83 a6 72 6f 6f 6d 49 64 a2 72 31"
                + " a6 75 73 65 72 49 64 a3 62 6f 62 a8 75 73 65 72 4e 61 6d 65 a3 42 6f 62 90"),
        Arguments.of(
            "ReceiveAssistantChunk(AssistantChunk)",
            InvocationMessage.send("ReceiveAssistantChunk", new AssistantChunk("r1", "m2", "Hel")),
            AssistantChunk.class,
            "3e 96 01 80 c0 b5 52 65 63 65 69 76 65 41 73 73 69 73 74 61 6e 74 43 68 75 6e 6b 91"
                + " 83 a6 72 6f 6f 6d 49 64 a2 72 31 a9 6d 65 73 73 61 67 65 49 64 a2 6d 32 a5 64 65 6c"
                + " 74 61 a3 48 65 6c 90"),
        Arguments.of(
            "JoinRoom -> Room",
            CompletionMessage.withResult("1", new RoomDto("r1", "General", false, "alice", AT)),
            RoomDto.class,
            "49 95 03 80 a1 31 03 85 a2 69 64 a2 72 31 a4 6e 61 6d 65 a7 47 65 6e 65 72 61 6c a9"
                + " 69 73 50 72 69 76 61 74 65 c2 a9 63 72 65 61 74 65 64 42 79 a5 61 6c 69 63 65 a9 63"
                + " 72 65 61 74 65 64 41 74 d7 ff 1d 53 53 00 6b 0a 47 5e"),
        Arguments.of(
            "SendMessage -> Message",
            CompletionMessage.withResult("2", MESSAGE),
            MessageDto.class,
            "66 95 03 80 a1 32 03 87 a2 69 64 a2 6d 31 a6 72 6f 6f 6d 49 64 a2 72 31 a8 73 65 6e"
                + " 64 65 72 49 64 a5 61 6c 69 63 65 aa 73 65 6e 64 65 72 4e 61 6d 65 a5 41 6c 69 63 65"
                + " a7 63 6f 6e 74 65 6e 74 a8 48 69 20 74 68 65 72 65 a4 6b 69 6e 64 a4 75 73 65 72 a9"
                + " 63 72 65 61 74 65 64 41 74 d7 ff 1d 53 53 00 6b 0a 47 5e"),
        Arguments.of(
            "StreamAssistant item (string)",
            StreamItemMessage.of("3", "Hel"),
            String.class,
            "09 94 02 80 a1 33 a3 48 65 6c"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void writesTheVectorAndReadsItBack(String name, HubMessage message, Class<?> type, String hex)
      throws Exception {
    MessagePackHubProtocol protocol = new MessagePackHubProtocol();
    byte[] expected = HexFormat.ofDelimiter(" ").parseHex(hex);
    // Twice: the first write of a bean type is also checked against Jackson, later ones are not.
    assertThat(protocol.toBytes(message)).isEqualTo(expected);
    assertThat(protocol.toBytes(message)).isEqualTo(expected);

    // The payload is exactly what the payload mapper alone writes for it.
    Object value = payload(message);
    byte[] jackson = protocol.objectMapper().writeValueAsBytes(value);
    assertThat(
            Arrays.copyOfRange(
                expected,
                expected.length - jackson.length - trailer(message),
                expected.length - trailer(message)))
        .isEqualTo(jackson);

    // Read back with the type a typed client handler binds to: the same record, twice (the
    // first read of a bean type is checked against Jackson too).
    InvocationBinder binder = binder(type);
    for (int i = 0; i < 2; i++) {
      HubMessage read = protocol.tryParse(ByteBuffer.wrap(expected), binder, 32768);
      assertThat(read).isEqualTo(message);
    }
  }

  private static Object payload(HubMessage m) {
    if (m instanceof InvocationMessage i) {
      return i.arguments().get(0);
    }
    if (m instanceof CompletionMessage c) {
      return c.result();
    }
    return ((StreamItemMessage) m).item();
  }

  /** Bytes after the payload: the empty streamIds array of an invocation. */
  private static int trailer(HubMessage m) {
    return m instanceof InvocationMessage ? 1 : 0;
  }

  private static InvocationBinder binder(Class<?> type) {
    return new InvocationBinder() {
      @Override
      public List<Type> parameterTypes(String target) {
        return List.of(type);
      }

      @Override
      public Type returnType(String invocationId) {
        return type;
      }

      @Override
      public Type streamItemType(String streamId) {
        return type;
      }
    };
  }
}
