package org.jvmchat.protocol.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.protocol.Bytes.hex;
import static org.jvmchat.protocol.Bytes.json;
import static org.jvmchat.protocol.Bytes.parseAll;

import java.nio.charset.StandardCharsets;
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
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;

/** Byte-exact vectors of the JSON hub protocol, from SIGNALR.md §3.1. */
class JsonHubProtocolVectorsTest {
  private final JsonHubProtocol protocol = new JsonHubProtocol();

  /** What the server writes: our write side must produce exactly these bytes. */
  static Stream<Arguments> serverForms() {
    return Stream.of(
        Arguments.of("{\"type\":6}\\u001e", PingMessage.INSTANCE),
        Arguments.of(
            "{\"type\":1,\"target\":\"ReceiveMessage\",\"arguments\":[\"hi\"]}\\u001e",
            InvocationMessage.send("ReceiveMessage", "hi")),
        Arguments.of(
            "{\"type\":1,\"invocationId\":\"s1\",\"target\":\"GetName\",\"arguments\":[]}\\u001e",
            InvocationMessage.invoke("s1", "GetName")),
        Arguments.of(
            "{\"type\":3,\"invocationId\":\"0\",\"result\":42}\\u001e",
            CompletionMessage.withResult("0", 42)),
        Arguments.of(
            "{\"type\":3,\"invocationId\":\"0\",\"result\":null}\\u001e",
            CompletionMessage.withResult("0", null)),
        Arguments.of(
            "{\"type\":2,\"invocationId\":\"2\",\"item\":7}\\u001e", StreamItemMessage.of("2", 7)),
        Arguments.of("{\"type\":3,\"invocationId\":\"2\"}\\u001e", CompletionMessage.empty("2")),
        Arguments.of(
            "{\"type\":3,\"invocationId\":\"0\",\"error\":\"Unknown hub method 'Foo'\"}\\u001e",
            CompletionMessage.withError("0", "Unknown hub method 'Foo'")),
        Arguments.of(
            "{\"type\":7,\"error\":\"Connection closed with an error.\",\"allowReconnect\":true}"
                + "\\u001e",
            new CloseMessage("Connection closed with an error.", true)),
        Arguments.of("{\"type\":7}\\u001e", CloseMessage.EMPTY),
        Arguments.of("{\"type\":7,\"error\":\"bye\"}\\u001e", new CloseMessage("bye", false)),
        Arguments.of("{\"type\":8,\"sequenceId\":36}\\u001e", new AckMessage(36)),
        Arguments.of("{\"type\":9,\"sequenceId\":19}\\u001e", new SequenceMessage(19)),
        Arguments.of(
            "{\"type\":4,\"invocationId\":\"2\",\"target\":\"Counter\",\"arguments\":[10]}\\u001e",
            StreamInvocationMessage.of("2", "Counter", 10)),
        Arguments.of("{\"type\":5,\"invocationId\":\"2\"}\\u001e", CancelInvocationMessage.of("2")),
        Arguments.of(
            "{\"type\":1,\"headers\":{\"x\":\"y\"},\"invocationId\":\"1\",\"target\":\"UploadStream\","
                + "\"arguments\":[],\"streamIds\":[\"0\"]}\\u001e",
            new InvocationMessage(Map.of("x", "y"), "1", "UploadStream", List.of(), List.of("0"))),
        Arguments.of(
            "{\"type\":2,\"headers\":{\"a\":\"b\"},\"invocationId\":\"s2\",\"item\":null}\\u001e",
            new StreamItemMessage(Map.of("a", "b"), "s2", null)),
        Arguments.of(
            "{\"type\":3,\"headers\":{\"a\":\"b\"},\"invocationId\":\"s3\",\"result\":[1,\"x\"]}"
                + "\\u001e",
            new CompletionMessage(Map.of("a", "b"), "s3", null, List.of(1, "x"), true)),
        Arguments.of(
            "{\"type\":5,\"headers\":{\"a\":\"b\"},\"invocationId\":\"7\"}\\u001e",
            new CancelInvocationMessage(Map.of("a", "b"), "7")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("serverForms")
  void writesTheServerFormExactly(String vector, HubMessage message) {
    assertThat(hex(protocol.toBytes(message))).isEqualTo(hex(json(vector)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("serverForms")
  void readsTheServerForm(String vector, HubMessage message) {
    assertThat(parseAll(protocol, json(vector))).containsExactly(message);
  }

  /** What the JS client sends: properties in its order ({@code type} last). */
  static Stream<Arguments> jsClientForms() {
    return Stream.of(
        Arguments.of(
            "{\"target\":\"Send\",\"arguments\":[42,\"Test\"],\"invocationId\":\"0\",\"type\":1}"
                + "\\u001e",
            InvocationMessage.invoke("0", "Send", 42, "Test")),
        Arguments.of(
            "{\"target\":\"Send\",\"arguments\":[42,\"Test\"],\"type\":1}\\u001e",
            InvocationMessage.send("Send", 42, "Test")),
        Arguments.of(
            "{\"target\":\"UploadStream\",\"arguments\":[],\"invocationId\":\"1\","
                + "\"streamIds\":[\"0\"],\"type\":1}\\u001e",
            new InvocationMessage(Map.of(), "1", "UploadStream", List.of(), List.of("0"))),
        Arguments.of(
            "{\"invocationId\":\"0\",\"item\":\"a\",\"type\":2}\\u001e",
            StreamItemMessage.of("0", "a")),
        Arguments.of("{\"invocationId\":\"0\",\"type\":3}\\u001e", CompletionMessage.empty("0")),
        Arguments.of(
            "{\"target\":\"Counter\",\"arguments\":[10],\"invocationId\":\"2\",\"type\":4}\\u001e",
            StreamInvocationMessage.of("2", "Counter", 10)),
        Arguments.of("{\"invocationId\":\"2\",\"type\":5}\\u001e", CancelInvocationMessage.of("2")),
        Arguments.of("{\"type\":6}\\u001e", PingMessage.INSTANCE),
        Arguments.of("{\"type\":7}\\u001e", CloseMessage.EMPTY),
        Arguments.of(
            "{\"invocationId\":\"s1\",\"result\":\"Bob\",\"type\":3}\\u001e",
            CompletionMessage.withResult("s1", "Bob")),
        Arguments.of(
            "{\"error\":\"Client didn't provide a result.\",\"invocationId\":\"s1\",\"type\":3}"
                + "\\u001e",
            CompletionMessage.withError("s1", "Client didn't provide a result.")),
        Arguments.of(
            "{\"invocationId\":\"s1\",\"result\":null,\"type\":3}\\u001e",
            CompletionMessage.withResult("s1", null)),
        Arguments.of("{\"sequenceId\":36,\"type\":8}\\u001e", new AckMessage(36)),
        Arguments.of("{\"sequenceId\":19,\"type\":9}\\u001e", new SequenceMessage(19)),
        // Whitespace, unknown properties, null invocation id, allowReconnect false.
        Arguments.of(
            " { \"type\" : 1 , \"extra\":{\"a\":[1,{}]}, \"invocationId\":null,"
                + " \"target\":\"M\", \"arguments\":[ ] } \\u001e",
            InvocationMessage.send("M")),
        Arguments.of(
            "{\"type\":7,\"error\":null,\"allowReconnect\":false}\\u001e", CloseMessage.EMPTY),
        Arguments.of(
            "{\"type\":1,\"invocationId\":\"\",\"target\":\"M\",\"arguments\":[]}\\u001e",
            InvocationMessage.send("M")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("jsClientForms")
  void readsTheJsClientForm(String vector, HubMessage message) {
    assertThat(parseAll(protocol, json(vector))).containsExactly(message);
  }

  @Test
  void pingHasTheSpecBytes() {
    assertThat(hex(protocol.toBytes(PingMessage.INSTANCE)))
        .isEqualTo("7b 22 74 79 70 65 22 3a 36 7d 1e");
  }

  @Test
  void escapesTheRecordSeparatorAndOtherControlCharactersButNotNonAscii() {
    byte[] bytes = protocol.toBytes(InvocationMessage.send("M", "a\u001eb\n<'é😀"));
    String text = new String(bytes, StandardCharsets.UTF_8);
    // Non-BMP characters come out as an escaped surrogate pair, as System.Text.Json's relaxed
    // encoder writes them too; BMP non-ASCII, '<' and '\'' stay as they are.
    assertThat(text)
        .isEqualTo(
            "{\"type\":1,\"target\":\"M\",\"arguments\":[\"a\\u001Eb\\n<'é\\uD83D\\uDE00\"]}"
                + "\u001e");
    // Only the final byte is a separator, so the message survives framing.
    assertThat(Arrays.copyOf(bytes, bytes.length - 1)).doesNotContain((byte) 0x1e);
    assertThat(parseAll(protocol, bytes))
        .containsExactly(InvocationMessage.send("M", "a\u001eb\n<'é😀"));
  }

  @Test
  void writesPayloadsCamelCaseWithIsoDates() {
    record Message(String id, String roomId, String senderName, Instant createdAt) {}
    byte[] bytes =
        protocol.toBytes(
            InvocationMessage.send(
                "ReceiveMessage",
                new Message("m1", "r1", "Alice", Instant.parse("2024-01-01T00:00:00.5Z"))));
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"type\":1,\"target\":\"ReceiveMessage\",\"arguments\":[{\"id\":\"m1\","
                + "\"roomId\":\"r1\",\"senderName\":\"Alice\","
                + "\"createdAt\":\"2024-01-01T00:00:00.500Z\"}]}\u001e");
  }

  @Test
  void bindsGenericPayloadsToMapsListsAndNumbers() {
    List<HubMessage> messages =
        parseAll(
            protocol,
            json(
                "{\"type\":1,\"target\":\"M\",\"arguments\":[{\"a\":[1,2.5,true,null]},"
                    + "12345678901,\"s\"]}\\u001e"));
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", new ArrayList<>(Arrays.asList(1, 2.5, true, null)));
    assertThat(messages).containsExactly(InvocationMessage.send("M", map, 12345678901L, "s"));
  }

  @Test
  void acceptsEveryInvocationMessageTypeWrittenByItselfRoundTrip() {
    List<HubMessage> all = new ArrayList<>();
    serverForms().forEach(a -> all.add((HubMessage) a.get()[1]));
    byte[] bytes = new byte[0];
    for (HubMessage m : all) {
      bytes = org.jvmchat.protocol.Bytes.concat(bytes, protocol.toBytes(m));
    }
    assertThat(parseAll(protocol, bytes)).containsExactlyElementsOf(all);
  }
}
