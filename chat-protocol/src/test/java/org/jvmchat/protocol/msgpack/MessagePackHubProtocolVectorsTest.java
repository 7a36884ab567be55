package org.jvmchat.protocol.msgpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.protocol.Bytes.hex;
import static org.jvmchat.protocol.Bytes.parseAll;

import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.Bytes;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;

/** Byte-exact vectors of the MessagePack hub protocol, from SIGNALR.md §3.2. */
class MessagePackHubProtocolVectorsTest {
  private final MessagePackHubProtocol protocol = new MessagePackHubProtocol();

  /** What the server writes: our write side must produce exactly these bytes. */
  static Stream<Arguments> serverForms() {
    return Stream.of(
        Arguments.of("02 91 06", PingMessage.INSTANCE),
        Arguments.of(
            "18 96 01 80 c0 ae 52 65 63 65 69 76 65 4d 65 73 73 61 67 65 91 a2 68 69 90",
            InvocationMessage.send("ReceiveMessage", "hi")),
        Arguments.of(
            "10 96 01 80 a2 73 31 a7 47 65 74 4e 61 6d 65 90 90",
            InvocationMessage.invoke("s1", "GetName")),
        Arguments.of("07 95 03 80 a1 30 03 2a", CompletionMessage.withResult("0", 42)),
        Arguments.of("07 95 03 80 a1 30 03 c0", CompletionMessage.withResult("0", null)),
        Arguments.of("06 94 03 80 a1 32 02", CompletionMessage.empty("2")),
        Arguments.of(
            "0b 95 03 80 a1 31 01 a4 62 6f 6f 6d", CompletionMessage.withError("1", "boom")),
        Arguments.of("06 94 02 80 a1 32 07", StreamItemMessage.of("2", 7)),
        Arguments.of("04 93 07 c0 c2", CloseMessage.EMPTY),
        Arguments.of(
            "25 93 07 d9 20 43 6f 6e 6e 65 63 74 69 6f 6e 20 63 6c 6f 73 65 64"
                + " 20 77 69 74 68 20 61 6e 20 65 72 72 6f 72 2e c3",
            new CloseMessage("Connection closed with an error.", true)),
        Arguments.of("03 92 08 24", new AckMessage(36)),
        Arguments.of("03 92 09 13", new SequenceMessage(19)),
        Arguments.of("05 92 08 cd 01 2c", new AckMessage(300)),
        // The prose spec's unframed bodies, with their length prefixes.
        Arguments.of(
            "11 96 01 80 a3 78 79 7a a6 6d 65 74 68 6f 64 91 2a 90",
            InvocationMessage.invoke("xyz", "method", 42)),
        Arguments.of(
            "0e 95 03 80 a3 78 79 7a 01 a5 45 72 72 6f 72",
            CompletionMessage.withError("xyz", "Error")),
        // Server form of the other types: always 6 elements for invocations.
        Arguments.of(
            "10 96 04 80 a1 32 a7 43 6f 75 6e 74 65 72 91 0a 90",
            StreamInvocationMessage.of("2", "Counter", 10)),
        Arguments.of("05 93 05 80 a1 32", CancelInvocationMessage.of("2")),
        Arguments.of(
            "0d 96 01 81 a1 78 a1 79 a1 30 a1 4d 90 90",
            new InvocationMessage(Map.of("x", "y"), "0", "M", List.of(), null)),
        Arguments.of(
            "16 96 01 80 a1 31 ac 55 70 6c 6f 61 64 53 74 72 65 61 6d 90 91 a1 30",
            new InvocationMessage(Map.of(), "1", "UploadStream", List.of(), List.of("0"))));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("serverForms")
  void writesTheServerFormExactly(String vector, HubMessage message) {
    assertThat(hex(protocol.toBytes(message))).isEqualTo(hex(Bytes.hex(vector)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("serverForms")
  void readsTheServerForm(String vector, HubMessage message) {
    assertThat(parseAll(protocol, Bytes.hex(vector))).containsExactly(message);
  }

  /** What the JS client sends (and other legal forms a reader must accept). */
  static Stream<Arguments> jsClientForms() {
    return Stream.of(
        Arguments.of(
            "11 95 01 80 a1 30 a4 53 65 6e 64 92 2a a4 54 65 73 74",
            InvocationMessage.invoke("0", "Send", 42, "Test")),
        Arguments.of(
            "10 95 01 80 c0 a4 53 65 6e 64 92 2a a4 54 65 73 74",
            InvocationMessage.send("Send", 42, "Test")),
        Arguments.of(
            "16 96 01 80 a1 31 ac 55 70 6c 6f 61 64 53 74 72 65 61 6d 90 91 a1 30",
            new InvocationMessage(Map.of(), "1", "UploadStream", List.of(), List.of("0"))),
        Arguments.of("07 94 02 80 a1 30 a1 61", StreamItemMessage.of("0", "a")),
        Arguments.of("06 94 03 80 a1 30 02", CompletionMessage.empty("0")),
        Arguments.of(
            "0f 95 04 80 a1 32 a7 43 6f 75 6e 74 65 72 91 0a",
            StreamInvocationMessage.of("2", "Counter", 10)),
        Arguments.of("05 93 05 80 a1 32", CancelInvocationMessage.of("2")),
        Arguments.of(
            "0b 95 03 80 a2 73 31 03 a3 42 6f 62", CompletionMessage.withResult("s1", "Bob")),
        Arguments.of("03 92 07 c0", CloseMessage.EMPTY),
        Arguments.of(
            "0c 95 01 81 a1 78 a1 79 a1 30 a1 4d 90",
            new InvocationMessage(Map.of("x", "y"), "0", "M", List.of(), null)),
        // Spec forms of Ack and Sequence (uint8 instead of fixint).
        Arguments.of("04 92 08 cc 24", new AckMessage(36)),
        Arguments.of("04 92 09 cc 13", new SequenceMessage(19)),
        // Empty-string invocation id means non-blocking; nil streamIds; extra trailing elements.
        Arguments.of(
            "0a 96 01 80 a0 a1 4d 90 c0 c3 c3",
            new InvocationMessage(Map.of(), null, "M", List.of(), null)),
        Arguments.of("03 92 06 c3", PingMessage.INSTANCE),
        Arguments.of("05 94 07 a1 65 c2", new CloseMessage("e", false)),
        // A non-minimal VarInt length prefix (2 encoded in two bytes).
        Arguments.of("82 00 91 06", PingMessage.INSTANCE));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("jsClientForms")
  void readsTheJsClientForm(String vector, HubMessage message) {
    assertThat(parseAll(protocol, Bytes.hex(vector))).containsExactly(message);
  }

  @Test
  void writesInstantsAsTimestampExtensionsInTheShortestForm() {
    assertThat(hex(itemBody(Instant.parse("2024-01-01T00:00:00Z")))).isEqualTo("d6 ff 65 92 00 80");
    assertThat(hex(itemBody(Instant.parse("2024-01-01T00:00:00.5Z"))))
        .isEqualTo("d7 ff 77 35 94 00 65 92 00 80");
  }

  @Test
  void writesByteArraysAsBin() {
    assertThat(hex(itemBody(new byte[] {1, 2, 3}))).isEqualTo("c4 03 01 02 03");
  }

  @Test
  void bindsTimestampsAndBinToTheBinderTypes() {
    InvocationBinder binder =
        new InvocationBinder() {
          @Override
          public List<Type> parameterTypes(String target) {
            return List.of(Instant.class, byte[].class, Instant.class);
          }
        };
    byte[] frame =
        Bytes.frame(
            "96 01 80 c0 a1 4d 93 d6 ff 65 92 00 80 c4 03 01 02 03"
                + " d7 ff 77 35 94 00 65 92 00 80 90");
    InvocationMessage m = (InvocationMessage) parseAll(protocol, binder, frame).get(0);
    assertThat(m.arguments().get(0)).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat((byte[]) m.arguments().get(1)).containsExactly(1, 2, 3);
    assertThat(m.arguments().get(2)).isEqualTo(Instant.parse("2024-01-01T00:00:00.5Z"));
  }

  @Test
  void writesPayloadObjectsAsMapsKeyedByExactPropertyNames() {
    record Message(String id, String roomId, long n) {}
    byte[] bytes = protocol.toBytes(InvocationMessage.send("R", new Message("m1", "r1", 300)));
    // 96 01 80 c0 a1 52 91 {83 a2 "id" a2 "m1" a6 "roomId" a2 "r1" a1 "n" cd 01 2c} 90
    assertThat(hex(bytes))
        .isEqualTo(
            "1e 96 01 80 c0 a1 52 91 83 a2 69 64 a2 6d 31 a6 72 6f 6f 6d 49 64 a2 72 31 a1 6e"
                + " cd 01 2c 90");
  }

  @Test
  void bindsGenericPayloadsToMapsListsAndNumbers() {
    // [1, {}, nil, "M", [{"a": [1, 2.5, true, nil]}, 12345678901, "s"], []]
    byte[] frame =
        Bytes.frame(
            "96 01 80 c0 a1 4d 93 81 a1 61 94 01 cb 40 04 00 00 00 00 00 00 c3 c0"
                + " cf 00 00 00 02 df dc 1c 35 a1 73 90");
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", new ArrayList<>(Arrays.asList(1, 2.5, true, null)));
    assertThat(parseAll(protocol, frame))
        .containsExactly(InvocationMessage.send("M", map, 12345678901L, "s"));
  }

  @Test
  void roundTripsEveryMessage() {
    List<HubMessage> all = new ArrayList<>();
    serverForms().forEach(a -> all.add((HubMessage) a.get()[1]));
    jsClientForms().forEach(a -> all.add((HubMessage) a.get()[1]));
    byte[] bytes = new byte[0];
    for (HubMessage m : all) {
      bytes = Bytes.concat(bytes, protocol.toBytes(m));
    }
    assertThat(parseAll(protocol, bytes)).containsExactlyElementsOf(all);
  }

  /** The MessagePack encoding of {@code value} as written in a StreamItem. */
  private byte[] itemBody(Object value) {
    byte[] frame = protocol.toBytes(StreamItemMessage.of("2", value));
    // prefix, 94 02 80 a1 32, then the item
    return Arrays.copyOfRange(frame, 6, frame.length);
  }
}
