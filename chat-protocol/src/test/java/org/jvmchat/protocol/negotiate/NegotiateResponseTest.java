package org.jvmchat.protocol.negotiate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.TransferFormat;

class NegotiateResponseTest {
  private static final List<AvailableTransport> ALL =
      List.of(
          new AvailableTransport(
              HttpTransportType.WebSockets, List.of(TransferFormat.Text, TransferFormat.Binary)),
          new AvailableTransport(HttpTransportType.ServerSentEvents, List.of(TransferFormat.Text)),
          new AvailableTransport(
              HttpTransportType.LongPolling, List.of(TransferFormat.Text, TransferFormat.Binary)));
  private static final String TRANSPORTS_JSON =
      "[{\"transport\":\"WebSockets\",\"transferFormats\":[\"Text\",\"Binary\"]},"
          + "{\"transport\":\"ServerSentEvents\",\"transferFormats\":[\"Text\"]},"
          + "{\"transport\":\"LongPolling\",\"transferFormats\":[\"Text\",\"Binary\"]}]";

  private static String text(NegotiateResponse r) {
    return new String(r.toJson(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void version1IsWrittenAsTheSpecShowsIt() {
    NegotiateResponse r =
        NegotiateResponse.connection(
            1, "m1SXbq0yLNgrUiD7ETzSHA", "aX9-5Fq3yR1o2cL0pVtE8w", ALL, false);
    String expected =
        "{\"negotiateVersion\":1,\"connectionId\":\"m1SXbq0yLNgrUiD7ETzSHA\","
            + "\"connectionToken\":\"aX9-5Fq3yR1o2cL0pVtE8w\",\"availableTransports\":"
            + TRANSPORTS_JSON
            + "}";
    assertThat(text(r)).isEqualTo(expected);
    assertThat(NegotiateResponse.parse(bytes(expected))).isEqualTo(r);
    assertThat(r.effectiveConnectionToken()).isEqualTo("aX9-5Fq3yR1o2cL0pVtE8w");
  }

  @Test
  void statefulReconnectComesFirst() {
    NegotiateResponse r = NegotiateResponse.connection(1, "id", "token", ALL, true);
    assertThat(text(r)).startsWith("{\"useStatefulReconnect\":true,\"negotiateVersion\":1,");
    assertThat(NegotiateResponse.parse(r.toJson()).useStatefulReconnect()).isTrue();
  }

  @Test
  void version0HasNoTokenAndTheIdDoublesAsToken() {
    NegotiateResponse r =
        NegotiateResponse.connection(0, "m1SXbq0yLNgrUiD7ETzSHA", "secret", ALL, false);
    String expected =
        "{\"negotiateVersion\":0,\"connectionId\":\"m1SXbq0yLNgrUiD7ETzSHA\","
            + "\"availableTransports\":"
            + TRANSPORTS_JSON
            + "}";
    assertThat(text(r)).isEqualTo(expected);
    NegotiateResponse parsed = NegotiateResponse.parse(bytes(expected));
    assertThat(parsed.connectionToken()).isNull();
    assertThat(parsed.effectiveConnectionToken()).isEqualTo("m1SXbq0yLNgrUiD7ETzSHA");
    // A version-0 body without negotiateVersion at all.
    assertThat(NegotiateResponse.parse(bytes("{\"connectionId\":\"abc\"}")).negotiateVersion())
        .isZero();
  }

  @Test
  void redirect() {
    NegotiateResponse r = NegotiateResponse.redirect("https://other.example/hubs/chat", "eyJ.x.y");
    assertThat(text(r))
        .isEqualTo("{\"url\":\"https://other.example/hubs/chat\",\"accessToken\":\"eyJ.x.y\"}");
    NegotiateResponse parsed = NegotiateResponse.parse(r.toJson());
    assertThat(parsed.url()).isEqualTo("https://other.example/hubs/chat");
    assertThat(parsed.accessToken()).isEqualTo("eyJ.x.y");
  }

  @Test
  void error() {
    NegotiateResponse r =
        NegotiateResponse.error("The client requested a non-integer protocol version.");
    assertThat(text(r))
        .isEqualTo("{\"error\":\"The client requested a non-integer protocol version.\"}");
    assertThat(NegotiateResponse.parse(r.toJson()).error())
        .isEqualTo("The client requested a non-integer protocol version.");
  }

  @Test
  void unknownPropertiesTransportsAndFormatsAreSkipped() {
    NegotiateResponse r =
        NegotiateResponse.parse(
            bytes(
                "{\"negotiateVersion\":1,\"connectionId\":\"i\",\"connectionToken\":\"t\","
                    + "\"future\":{\"a\":[1]},\"availableTransports\":["
                    + "{\"transport\":\"WebTransport\",\"transferFormats\":[\"Binary\"]},"
                    + "{\"transport\":\"WebSockets\",\"transferFormats\":[\"Text\",\"Cbor\"]}]}"));
    assertThat(r.availableTransports())
        .containsExactly(
            new AvailableTransport(HttpTransportType.WebSockets, List.of(TransferFormat.Text)));
  }

  @Test
  void rejectsWhatIsNotANegotiateResponse() {
    assertThatThrownBy(() -> NegotiateResponse.parse(bytes("not json")))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageStartingWith("Invalid negotiate response");
    assertThatThrownBy(() -> NegotiateResponse.parse(bytes("[1]")))
        .isExactlyInstanceOf(HubProtocolException.class);
    assertThatThrownBy(() -> NegotiateResponse.parse(bytes("")))
        .isExactlyInstanceOf(HubProtocolException.class);
    assertThatThrownBy(
            () -> NegotiateResponse.parse(bytes("{\"negotiateVersion\":1,\"connectionId\":\"i\"}")))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageContaining("connectionToken");
    assertThatThrownBy(
            () -> NegotiateResponse.parse(bytes("{\"ProtocolVersion\":\"1.5\",\"Url\":\"/x\"}")))
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageContaining("ASP.NET SignalR Server");
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThatThrownBy(() -> NegotiateResponse.parse(bytes("{\"x\":" + deep + "}")))
        .isExactlyInstanceOf(HubProtocolException.class);
  }
}
