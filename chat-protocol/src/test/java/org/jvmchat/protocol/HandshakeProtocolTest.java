package org.jvmchat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jvmchat.protocol.Bytes.hex;
import static org.jvmchat.protocol.Bytes.json;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HandshakeProtocolTest {
  private static final int MAX = 32768;

  @Test
  void writesTheRequestAsTheSpecShowsIt() {
    assertThat(hex(HandshakeProtocol.writeRequest(new HandshakeRequest("json", 1))))
        .isEqualTo(
            "7b 22 70 72 6f 74 6f 63 6f 6c 22 3a 22 6a 73 6f 6e 22 2c 22 76 65 72 73 69 6f 6e 22"
                + " 3a 31 7d 1e");
    assertThat(HandshakeProtocol.writeRequest(new HandshakeRequest("messagepack", 2)))
        .isEqualTo(json("{\"protocol\":\"messagepack\",\"version\":2}\\u001e"));
  }

  @Test
  void writesSuccessAndErrorResponses() {
    assertThat(hex(HandshakeProtocol.writeResponse(HandshakeResponse.SUCCESS)))
        .isEqualTo("7b 7d 1e");
    assertThat(
            HandshakeProtocol.writeResponse(
                new HandshakeResponse("The protocol 'foo' is not supported.")))
        .isEqualTo(json("{\"error\":\"The protocol 'foo' is not supported.\"}\\u001e"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"protocol\":\"json\",\"version\":1}|json|1",
        "{\"protocol\":\"messagepack\",\"version\":1}|messagepack|1",
        "{\"version\":2,\"protocol\":\"messagepack\"}|messagepack|2",
        " { \"protocol\" : \"json\" , \"extra\":{\"a\":[1,{}]}, \"version\" : 1 } |json|1",
      })
  void parsesRequests(String text, String protocol, int version) {
    ByteBuffer buffer = ByteBuffer.wrap(json(text + "\\u001e"));
    assertThat(HandshakeProtocol.tryParseRequest(buffer, MAX))
        .isEqualTo(new HandshakeRequest(protocol, version));
    assertThat(buffer.hasRemaining()).isFalse();
  }

  @Test
  void leavesHubMessagesAfterTheRequestInTheBuffer() {
    byte[] bytes = json("{\"protocol\":\"json\",\"version\":1}\\u001e{\"type\":6}\\u001e");
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    assertThat(HandshakeProtocol.tryParseRequest(buffer, MAX)).isNotNull();
    assertThat(buffer.remaining()).isEqualTo("{\"type\":6}\u001e".length());
  }

  @Test
  void anIncompleteRequestReturnsNullAndLeavesThePosition() {
    byte[] bytes = json("{\"protocol\":\"json\",\"version\":1}\\u001e");
    for (int cut = 0; cut < bytes.length; cut++) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, cut);
      assertThat(HandshakeProtocol.tryParseRequest(buffer, MAX)).isNull();
      assertThat(buffer.position()).isZero();
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"version\":1}|Missing required property 'protocol'.",
        "{\"protocol\":\"json\"}|Missing required property 'version'.",
        "{\"protocol\":1,\"version\":1}|Expected 'protocol' to be of type String.",
        "{\"protocol\":\"json\",\"version\":\"1\"}|Expected 'version' to be of type Integer.",
        "{\"protocol\":\"json\",\"version\":1.5}|Expected 'version' to be of type Integer.",
        "{\"protocol\":\"json\",\"version\":99999999999}|handshake request",
        "{\"protocol\":\"\",\"version\":1}|must not be empty",
        "[1]|must be a JSON object",
        "|must be a JSON object",
        "{\"protocol\":\"json\",|handshake request",
      })
  void rejectsMalformedRequests(String text, String message) {
    ByteBuffer buffer = ByteBuffer.wrap(json((text == null ? "" : text) + "\\u001e"));
    assertThatThrownBy(() -> HandshakeProtocol.tryParseRequest(buffer, MAX))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsDeeplyNestedAndOversizedRequests() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    ByteBuffer nested =
        ByteBuffer.wrap(json("{\"x\":" + deep + ",\"protocol\":\"json\",\"version\":1}\\u001e"));
    assertThatThrownBy(() -> HandshakeProtocol.tryParseRequest(nested, MAX))
        .isExactlyInstanceOf(HubProtocolException.class);
    ByteBuffer noSeparator = ByteBuffer.wrap(json("{\"protocol\":\"" + "a".repeat(MAX)));
    assertThatThrownBy(() -> HandshakeProtocol.tryParseRequest(noSeparator, MAX))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageContaining("The maximum message size of 32768B was exceeded.");
  }

  @Test
  void parsesResponses() {
    assertThat(HandshakeProtocol.tryParseResponse(ByteBuffer.wrap(json("{}\\u001e")), MAX))
        .isEqualTo(HandshakeResponse.SUCCESS);
    HandshakeResponse error =
        HandshakeProtocol.tryParseResponse(
            ByteBuffer.wrap(
                json(
                    "{\"error\":\"The server does not support version 3 of the 'json' protocol.\"}"
                        + "\\u001e")),
            MAX);
    assertThat(error.isSuccess()).isFalse();
    assertThat(error.error())
        .isEqualTo("The server does not support version 3 of the 'json' protocol.");
    assertThat(HandshakeProtocol.tryParseResponse(ByteBuffer.wrap(json("{}")), MAX)).isNull();
  }

  @Test
  void aHubMessageInsteadOfAResponseIsAnError() {
    assertThatThrownBy(
            () ->
                HandshakeProtocol.tryParseResponse(
                    ByteBuffer.wrap(json("{\"type\":6}\\u001e")), MAX))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessage("Expected a handshake response from the server.");
  }

  @Test
  void theResponseMayShareABufferWithMessagePackMessages() {
    ByteBuffer buffer = ByteBuffer.wrap(Bytes.concat(json("{}\\u001e"), hex("02 91 06")));
    assertThat(HandshakeProtocol.tryParseResponse(buffer, MAX))
        .isEqualTo(HandshakeResponse.SUCCESS);
    assertThat(buffer.remaining()).isEqualTo(3);
  }
}
