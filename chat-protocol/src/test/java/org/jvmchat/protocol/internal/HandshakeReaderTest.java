package org.jvmchat.protocol.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubProtocolException;

class HandshakeReaderTest {
  private static final String RS = "\u001e";

  private static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(s.getBytes(UTF_8));
  }

  private static String rest(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return new String(out, UTF_8);
  }

  @Test
  void readsARequestInOneChunkAndReturnsWhatFollows() {
    HandshakeReader<HandshakeRequest> r = HandshakeReader.forRequest(1024);
    HandshakeReader.Result<HandshakeRequest> result =
        r.feed(utf8("{\"protocol\":\"json\",\"version\":2}" + RS + "{\"type\":6}" + RS));
    assertThat(result.message()).isEqualTo(new HandshakeRequest("json", 2));
    assertThat(rest(result.remaining())).isEqualTo("{\"type\":6}" + RS);
    assertThat(r.isDone()).isTrue();
  }

  @Test
  void accumulatesAHandshakeSplitAcrossChunks() {
    HandshakeReader<HandshakeRequest> r = HandshakeReader.forRequest(1024);
    byte[] chunk = "{\"protocol\":\"mess".getBytes(UTF_8);
    ByteBuffer reused = ByteBuffer.wrap(chunk);
    assertThat(r.feed(reused)).isNull();
    java.util.Arrays.fill(chunk, (byte) 'x'); // the caller reuses its memory: a copy was kept
    assertThat(r.feed(utf8("agepack\",\"vers"))).isNull();
    assertThat(r.isDone()).isFalse();
    HandshakeReader.Result<HandshakeRequest> result = r.feed(utf8("ion\":1}" + RS + "tail"));
    assertThat(result.message()).isEqualTo(new HandshakeRequest("messagepack", 1));
    assertThat(rest(result.remaining())).isEqualTo("tail");
  }

  @Test
  void readsTheServersResponseOnTheClientSide() {
    HandshakeReader<HandshakeResponse> r = HandshakeReader.forResponse(1024);
    assertThat(r.feed(utf8("{\"err"))).isNull();
    HandshakeReader.Result<HandshakeResponse> result = r.feed(utf8("or\":\"nope\"}" + RS));
    assertThat(result.message().isSuccess()).isFalse();
    assertThat(result.message().error()).isEqualTo("nope");
    assertThat(result.remaining().hasRemaining()).isFalse();
  }

  @Test
  void aSuccessResponseFollowedByMessages() {
    HandshakeReader<HandshakeResponse> r = HandshakeReader.forResponse(1024);
    HandshakeReader.Result<HandshakeResponse> result =
        r.feed(utf8("{}" + RS + "{\"type\":6}" + RS));
    assertThat(result.message().isSuccess()).isTrue();
    assertThat(rest(result.remaining())).isEqualTo("{\"type\":6}" + RS);
  }

  @Test
  void aHandshakeWithoutSeparatorWithinTheMaximumSizeIsTooLarge() {
    HandshakeReader<HandshakeRequest> r = HandshakeReader.forRequest(32);
    assertThat(r.feed(utf8("{\"protocol\":\"json\","))).isNull();
    assertThatThrownBy(() -> r.feed(utf8("\"version\":1,\"padding\":\"xxxxxxxx\"}" + RS)))
        .isInstanceOf(HandshakeReader.HandshakeTooLargeException.class)
        .hasMessage("The maximum message size of 32B was exceeded.");
  }

  @Test
  void aMalformedHandshakeIsAProtocolErrorNotTooLarge() {
    HandshakeReader<HandshakeRequest> r = HandshakeReader.forRequest(1024);
    assertThatThrownBy(() -> r.feed(utf8("{\"version\":1}" + RS)))
        .isInstanceOf(HubProtocolException.class)
        .isNotInstanceOf(HandshakeReader.HandshakeTooLargeException.class)
        .hasMessage("Missing required property 'protocol'.");
  }

  @Test
  void feedingAfterTheHandshakeIsAnError() {
    HandshakeReader<HandshakeResponse> r = HandshakeReader.forResponse(1024);
    r.feed(utf8("{}" + RS));
    assertThatThrownBy(() -> r.feed(utf8("{}" + RS))).isInstanceOf(IllegalStateException.class);
  }
}
