package org.jvmchat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.jvmchat.protocol.Bytes.frame;
import static org.jvmchat.protocol.Bytes.hex;
import static org.jvmchat.protocol.Bytes.json;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * Invalid input gives a {@link HubProtocolException} with a readable message: never another
 * unchecked exception, a hang, or an allocation of a claimed size.
 */
class BadInputTest {
  private static final int MAX = 32768;
  private static final String DEEP = "[".repeat(10_000) + "]".repeat(10_000);

  static Stream<Arguments> badJson() {
    return Stream.of(
        Arguments.of("empty payload", json("\\u001e"), "Expected a JSON Object"),
        Arguments.of("not an object", json("[1]\\u001e"), "Expected a JSON Object"),
        Arguments.of("truncated object", json("{\"type\":1,\"target\":\"x\"\\u001e"), "JSON"),
        Arguments.of("syntax error", json("{\"type\":1,,}\\u001e"), "Error reading JSON"),
        Arguments.of(
            "invalid UTF-8", bytes("{\"type\":6,\"x\":\"", 0xC3, 0x28, "\"}\u001e"), "JSON"),
        Arguments.of("data after object", json("{\"type\":6} x\\u001e"), "JSON"),
        Arguments.of("missing type", json("{}\\u001e"), "Missing required property 'type'."),
        Arguments.of(
            "type as string", json("{\"type\":\"1\"}\\u001e"), "'type' to be of type Integer"),
        Arguments.of(
            "type as float", json("{\"type\":1.0}\\u001e"), "'type' to be of type Integer"),
        Arguments.of("type out of range", json("{\"type\":99999999999999999999}\\u001e"), "JSON"),
        Arguments.of(
            "missing target",
            json("{\"type\":1,\"arguments\":[]}\\u001e"),
            "Missing required property 'target'."),
        Arguments.of(
            "empty target",
            json("{\"type\":1,\"target\":\"\",\"arguments\":[]}\\u001e"),
            "Missing required property 'target'."),
        Arguments.of(
            "target as number",
            json("{\"type\":1,\"target\":5,\"arguments\":[]}\\u001e"),
            "'target' to be of type String"),
        Arguments.of(
            "missing arguments",
            json("{\"type\":1,\"target\":\"M\"}\\u001e"),
            "Missing required property 'arguments'."),
        Arguments.of(
            "arguments as object",
            json("{\"type\":1,\"target\":\"M\",\"arguments\":{}}\\u001e"),
            "'arguments' to be of type Array"),
        Arguments.of(
            "stream invocation without id",
            json("{\"type\":4,\"target\":\"M\",\"arguments\":[]}\\u001e"),
            "Missing required property 'invocationId'."),
        Arguments.of(
            "invocation id as number",
            json("{\"type\":3,\"invocationId\":5}\\u001e"),
            "'invocationId' to be of type String"),
        Arguments.of(
            "stream item without item",
            json("{\"type\":2,\"invocationId\":\"1\"}\\u001e"),
            "Missing required property 'item'."),
        Arguments.of(
            "stream item with empty id",
            json("{\"type\":2,\"invocationId\":\"\",\"item\":1}\\u001e"),
            "Missing required property 'invocationId'."),
        Arguments.of("completion without id", json("{\"type\":3}\\u001e"), "'invocationId'"),
        Arguments.of(
            "result and error",
            json("{\"type\":3,\"invocationId\":\"1\",\"result\":1,\"error\":\"e\"}\\u001e"),
            "The 'error' and 'result' properties are mutually exclusive."),
        Arguments.of(
            "error as number",
            json("{\"type\":3,\"invocationId\":\"1\",\"error\":1}\\u001e"),
            "'error' to be of type String"),
        Arguments.of("cancel without id", json("{\"type\":5}\\u001e"), "'invocationId'"),
        Arguments.of("ack without sequenceId", json("{\"type\":8}\\u001e"), "'sequenceId'"),
        Arguments.of(
            "sequence id as string",
            json("{\"type\":9,\"sequenceId\":\"1\"}\\u001e"),
            "'sequenceId' to be of type Integer"),
        Arguments.of(
            "allowReconnect as string",
            json("{\"type\":7,\"allowReconnect\":\"yes\"}\\u001e"),
            "'allowReconnect' to be of type Boolean"),
        Arguments.of(
            "headers as array",
            json("{\"type\":1,\"target\":\"M\",\"arguments\":[],\"headers\":[]}\\u001e"),
            "'headers' to be of type Object"),
        Arguments.of(
            "header value as number",
            json("{\"type\":1,\"target\":\"M\",\"arguments\":[],\"headers\":{\"a\":1}}\\u001e"),
            "header 'a' to be of type String"),
        Arguments.of(
            "streamIds with a number",
            json("{\"type\":1,\"target\":\"M\",\"arguments\":[],\"streamIds\":[1]}\\u001e"),
            "'streamIds' to contain only strings"),
        Arguments.of(
            "10,000 nested arrays in arguments",
            json("{\"type\":1,\"target\":\"M\",\"arguments\":[" + DEEP + "]}\\u001e"),
            "nesting depth"),
        Arguments.of(
            "10,000 nested arrays in an unknown property",
            json("{\"type\":6,\"x\":" + DEEP + "}\\u001e"),
            "nesting depth"),
        Arguments.of(
            "10,000 nested arrays in a result",
            json("{\"type\":3,\"invocationId\":\"1\",\"result\":" + DEEP + "}\\u001e"),
            "nesting depth"),
        Arguments.of(
            "10,000 nested objects in an item",
            json(
                "{\"type\":2,\"invocationId\":\"1\",\"item\":"
                    + "{\"a\":".repeat(5_000)
                    + "1"
                    + "}".repeat(5_000)
                    + "}\\u001e"),
            "nesting depth"),
        Arguments.of(
            "no separator within the maximum size",
            json("{\"type\":1,\"target\":\"" + "a".repeat(MAX + 10)),
            "The maximum message size of 32768B was exceeded."),
        Arguments.of(
            "framed message one byte over the maximum size",
            json("{\"type\":6,\"x\":\"" + "a".repeat(MAX - 15) + "\"}\\u001e"),
            "The maximum message size of 32768B was exceeded."));
  }

  static Stream<Arguments> badMessagePack() {
    String deep = "91".repeat(10_000) + "c0";
    return Stream.of(
        Arguments.of("empty body", hex("00"), "must not be empty"),
        Arguments.of("not an array", frame("06"), "must be an array"),
        Arguments.of("empty array", frame("90"), "must not be empty"),
        Arguments.of("truncated array", frame("95 01 80"), "truncated"),
        Arguments.of("truncated string", frame("95 01 80 c0 a4 53 65"), "truncated"),
        Arguments.of("type as string", frame("91 a1 31"), "'messageType' as Integer"),
        Arguments.of("type over uint64", frame("91 cf ff ff ff ff ff ff ff ff"), "MessagePack"),
        Arguments.of("reserved byte c1", frame("96 01 80 c0 a1 4d 91 c1 90"), "MessagePack"),
        Arguments.of("invocation with 4 elements", frame("94 01 80 c0 a1 4d"), "at least 5"),
        Arguments.of("headers as array", frame("95 01 90 c0 a1 4d 90"), "'headers' as Map"),
        Arguments.of("header value as int", frame("95 01 81 a1 61 01 c0 a1 4d 90"), "header value"),
        Arguments.of("target as int", frame("95 01 80 c0 01 90"), "'target' as String"),
        Arguments.of("empty target", frame("95 01 80 c0 a0 90"), "'target' must not be empty"),
        Arguments.of("arguments as map", frame("95 01 80 c0 a1 4d 80"), "'arguments' as Array"),
        Arguments.of(
            "arguments claiming 2^31-1 elements",
            frame("95 01 80 c0 a1 4d dd 7f ff ff ff"),
            "truncated"),
        Arguments.of(
            "target claiming 2 GB", frame("95 01 80 c0 db 7f ff ff ff 61 62"), "truncated"),
        Arguments.of(
            "argument map claiming 2^32-1 entries",
            frame("95 01 80 c0 a1 4d 91 df ff ff ff ff"),
            "MessagePack"),
        Arguments.of(
            "streamIds with an int",
            frame("96 01 80 a1 30 a1 4d 90 91 01"),
            "'streamId' as String"),
        Arguments.of(
            "streamIds as map", frame("96 01 80 a1 30 a1 4d 90 80"), "'streamIds' as Array"),
        Arguments.of(
            "invocation id as int", frame("95 01 80 01 a1 4d 90"), "'invocationId' as String"),
        Arguments.of(
            "stream invocation without id",
            frame("95 04 80 c0 a1 4d 90"),
            "Missing required property 'invocationId'."),
        Arguments.of("stream item with 3 elements", frame("93 02 80 a1 30"), "at least 4"),
        Arguments.of(
            "stream item without id",
            frame("94 02 80 c0 01"),
            "Missing required property 'invocationId'."),
        Arguments.of("completion with 3 elements", frame("93 03 80 a1 30"), "at least 4"),
        Arguments.of(
            "completion result kind 4",
            frame("94 03 80 a1 30 04"),
            "Invalid invocation result kind"),
        Arguments.of(
            "completion result kind 2^32+2",
            frame("94 03 80 a1 30 cf 00 00 00 01 00 00 00 02"),
            "Invalid invocation result kind"),
        Arguments.of("error completion with 4 elements", frame("94 03 80 a1 30 01"), "at least 5"),
        Arguments.of("result completion with 4 elements", frame("94 03 80 a1 30 03"), "at least 5"),
        Arguments.of("error as int", frame("95 03 80 a1 30 01 2a"), "'error' as String"),
        Arguments.of("cancel with 2 elements", frame("92 05 80"), "at least 3"),
        Arguments.of("close with 1 element", frame("91 07"), "at least 2"),
        Arguments.of("close error as int", frame("92 07 01"), "'error' as String"),
        Arguments.of("allowReconnect as int", frame("93 07 c0 01"), "'allowReconnect' as Boolean"),
        Arguments.of("ack with 1 element", frame("91 08"), "at least 2"),
        Arguments.of("sequence id as string", frame("92 09 a1 31"), "'sequenceId' as Integer"),
        Arguments.of("VarInt FF FF FF FF 08", hex("ff ff ff ff 08 91 06"), "over 2GB"),
        Arguments.of("6-byte VarInt", hex("80 80 80 80 80 01 91 06"), "over 2GB"),
        Arguments.of(
            "length prefix beyond the maximum size, body not sent",
            hex("ff ff 7f"),
            "The maximum message size of 32768B was exceeded."),
        Arguments.of(
            "length prefix of 2 GB - 1, body not sent",
            hex("ff ff ff ff 07"),
            "The maximum message size of 32768B was exceeded."),
        Arguments.of(
            "framed message one byte over the maximum size",
            overMaximumMessagePackFrame(),
            "The maximum message size of 32768B was exceeded."),
        Arguments.of(
            "10,000 nested arrays in arguments",
            frame("95 01 80 c0 a1 4d 91 " + deep),
            "nested deeper than 64"),
        Arguments.of(
            "10,000 nested maps in an item",
            frame("94 02 80 a1 30 " + "81 a1 61".repeat(10_000) + " c0"),
            "nested deeper than 64"),
        Arguments.of(
            "10,000 nested arrays in a result",
            frame("95 03 80 a1 30 03 " + deep),
            "nested deeper than 64"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badJson")
  void jsonRejects(String name, byte[] input, String expected) {
    assertRejected(new JsonHubProtocol(), input, expected);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badMessagePack")
  void messagePackRejects(String name, byte[] input, String expected) {
    assertRejected(new MessagePackHubProtocol(), input, expected);
  }

  private static void assertRejected(HubProtocol protocol, byte[] input, String expected) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          HubMessageReader reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, MAX);
          List<HubMessage> out = new ArrayList<>();
          assertThatThrownBy(() -> reader.feed(input, out::add))
              .isExactlyInstanceOf(HubProtocolException.class)
              .hasMessageContaining(expected);
          assertThat(out).isEmpty();
        });
  }

  @Test
  void jsonWithoutSeparatorFailsAsSoonAsItPassesTheMaximumFedInSmallChunks() {
    HubMessageReader reader =
        new HubMessageReader(new JsonHubProtocol(), InvocationBinder.GENERIC, 1000);
    byte[] chunk = "aaaaaaaaaa".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = 0; i < 99; i++) {
      reader.feed(chunk, m -> {});
    }
    assertThat(reader.bufferedBytes()).isEqualTo(990);
    assertThatThrownBy(() -> reader.feed(chunk, m -> {}))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageContaining("The maximum message size of 1000B was exceeded.");
  }

  @Test
  void messagePackLengthPrefixBeyondTheMaximumFailsBeforeTheBodyArrives() {
    HubMessageReader reader =
        new HubMessageReader(new MessagePackHubProtocol(), InvocationBinder.GENERIC, 1000);
    reader.feed(hex("e9"), m -> {}); // an incomplete VarInt: wait
    assertThat(reader.bufferedBytes()).isEqualTo(1);
    // e9 07 = 1001: one byte over with its 2-byte prefix; nothing of it is buffered or allocated.
    assertThatThrownBy(() -> reader.feed(hex("07"), m -> {}))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageContaining("The maximum message size of 1000B was exceeded.");
  }

  @Test
  void messagesAtExactlyTheMaximumSizeAreAccepted() {
    // JSON: payload + separator = 1000 bytes.
    String padding = "a".repeat(1000 - "{\"type\":6,\"x\":\"\"}".length() - 1);
    byte[] jsonFrame = json("{\"type\":6,\"x\":\"" + padding + "\"}\\u001e");
    assertThat(jsonFrame).hasSize(1000);
    List<HubMessage> out = new ArrayList<>();
    new HubMessageReader(new JsonHubProtocol(), InvocationBinder.GENERIC, 1000)
        .feed(jsonFrame, out::add);
    assertThat(out).containsExactly(PingMessage.INSTANCE);
    // MessagePack: 2-byte prefix + 998-byte body [6, bin(993)] = 1000 bytes.
    byte[] msgpackFrame = frame("92 06 c5 03 e1 " + "00 ".repeat(993));
    assertThat(msgpackFrame).hasSize(1000);
    out.clear();
    new HubMessageReader(new MessagePackHubProtocol(), InvocationBinder.GENERIC, 1000)
        .feed(msgpackFrame, out::add);
    assertThat(out).containsExactly(PingMessage.INSTANCE);
  }

  @Test
  void unknownMessageTypesAreSkippedAndLaterMessagesStillParsed() {
    List<HubMessage> json =
        Bytes.parseAll(
            new JsonHubProtocol(),
            json(
                "{\"type\":99,\"whatever\":[1,{\"a\":null}]}\\u001e{\"type\":0}\\u001e"
                    + "{\"type\":-1}\\u001e{\"type\":4294967297,\"target\":\"M\",\"arguments\":[]}"
                    + "\\u001e{\"type\":6}\\u001e{\"type\":10}\\u001e{\"type\":8,\"sequenceId\":1}"
                    + "\\u001e"));
    assertThat(json).containsExactly(PingMessage.INSTANCE, new AckMessage(1));

    List<HubMessage> msgpack =
        Bytes.parseAll(
            new MessagePackHubProtocol(),
            Bytes.concat(
                frame("93 63 80 c0"),
                frame("91 00"),
                frame("91 ff"),
                frame("95 cf 00 00 00 01 00 00 00 01 80 c0 a1 4d 90"),
                hex("02 91 06"),
                frame("91 0a"),
                hex("03 92 08 01")));
    assertThat(msgpack).containsExactly(PingMessage.INSTANCE, new AckMessage(1));
  }

  @Test
  void moderatelyNestedPayloadsAreAccepted() {
    String nested = "[".repeat(50) + "1" + "]".repeat(50);
    assertThat(
            Bytes.parseAll(
                new JsonHubProtocol(),
                json("{\"type\":1,\"target\":\"M\",\"arguments\":[" + nested + "]}\\u001e")))
        .hasSize(1);
    assertThat(
            Bytes.parseAll(
                new MessagePackHubProtocol(),
                frame("95 01 80 c0 a1 4d 91 " + "91 ".repeat(50) + "01")))
        .hasSize(1);
  }

  /** MAX + 1 bytes: a 3-byte prefix and the body [6, bin(n)] of MAX - 2 bytes. */
  private static byte[] overMaximumMessagePackFrame() {
    int bin = MAX - 2 - 5; // 92 06 c5 hi lo
    byte[] frame =
        frame(String.format("92 06 c5 %02x %02x ", bin >> 8, bin & 0xff) + "00".repeat(bin));
    assertThat(frame).hasSize(MAX + 1);
    return frame;
  }

  private static byte[] bytes(Object... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof String s) {
        out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      } else {
        out.write((Integer) p);
      }
    }
    return out.toByteArray();
  }
}
