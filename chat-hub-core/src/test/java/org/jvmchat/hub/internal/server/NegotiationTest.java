package org.jvmchat.hub.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.body;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.request;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.EnumSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.internal.hub.EchoHub;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;

/** {@code POST <hub>/negotiate} on an embedded channel (SIGNALR.md §1.2). */
class NegotiationTest {
  static final String ID = "[A-Za-z0-9_-]{22}";
  static final String ALL_TRANSPORTS =
      "\"availableTransports\":[{\"transport\":\"WebSockets\",\"transferFormats\":[\"Text\",\"Binary\"]},"
          + "{\"transport\":\"ServerSentEvents\",\"transferFormats\":[\"Text\"]},"
          + "{\"transport\":\"LongPolling\",\"transferFormats\":[\"Text\",\"Binary\"]}]";

  EmbeddedHttp http;

  @BeforeEach
  void build() {
    http =
        new EmbeddedHttp(
            HubServer.builder()
                .hub("/hubs/echo", EchoHub::new)
                .hub(
                    "/hubs/stateful",
                    EchoHub::new,
                    HubOptions.builder().allowStatefulReconnects(true).build())
                .hub(
                    "/hubs/nows",
                    EchoHub::new,
                    HubOptions.builder()
                        .transports(
                            EnumSet.of(
                                HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling))
                        .build()));
  }

  @AfterEach
  void close() {
    http.close();
  }

  private String negotiate(String uri) {
    FullHttpResponse r = http.exchange(request(HttpMethod.POST, uri));
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
    return body(r);
  }

  @Test
  void version1AnswersAnIdAndADifferentToken() {
    String body = negotiate("/hubs/echo/negotiate?negotiateVersion=1");
    assertThat(body)
        .matches(
            "\\{\"negotiateVersion\":1,\"connectionId\":\""
                + ID
                + "\",\"connectionToken\":\""
                + ID
                + "\","
                + Pattern.quote(ALL_TRANSPORTS)
                + "}");
    NegotiateResponse n = NegotiateResponse.parse(body.getBytes());
    assertThat(n.connectionToken()).isNotEqualTo(n.connectionId());
    assertThat(http.server.connectionCount()).isEqualTo(1);
  }

  @Test
  void version0AnswersOnlyAnId() {
    String body = negotiate("/hubs/echo/negotiate");
    assertThat(body)
        .matches(
            "\\{\"negotiateVersion\":0,\"connectionId\":\""
                + ID
                + "\","
                + Pattern.quote(ALL_TRANSPORTS)
                + "}");
    assertThat(negotiate("/hubs/echo/negotiate?negotiateVersion=0"))
        .startsWith("{\"negotiateVersion\":0,")
        .doesNotContain("connectionToken");
  }

  @Test
  void aVersionAboveOneIsAnsweredWithOne() {
    assertThat(negotiate("/hubs/echo/negotiate?NegotiateVersion=7"))
        .startsWith("{\"negotiateVersion\":1,");
  }

  @Test
  void aNonIntegerVersionIsAnErrorBodyAndNoConnection() {
    assertThat(negotiate("/hubs/echo/negotiate?negotiateVersion=abc"))
        .isEqualTo("{\"error\":\"The client requested a non-integer protocol version.\"}");
    assertThat(http.server.connectionCount()).isZero();
  }

  @Test
  void aNegativeVersionIsAnErrorBody() {
    assertThat(negotiate("/hubs/echo/negotiate?negotiateVersion=-1"))
        .isEqualTo(
            "{\"error\":\"The client requested version '-1', but the server does not support"
                + " this version.\"}");
    assertThat(http.server.connectionCount()).isZero();
  }

  @Test
  void onlyTheEnabledTransportsAreListed() {
    assertThat(negotiate("/hubs/nows/negotiate?negotiateVersion=1"))
        .contains(
            "\"availableTransports\":[{\"transport\":\"ServerSentEvents\",\"transferFormats\":[\"Text\"]},"
                + "{\"transport\":\"LongPolling\",\"transferFormats\":[\"Text\",\"Binary\"]}]")
        .doesNotContain("WebSockets");
  }

  @Test
  void statefulReconnectNeedsBothTheClientAndTheHub() {
    String asked = "/negotiate?negotiateVersion=1&useStatefulReconnect=true";
    assertThat(negotiate("/hubs/stateful" + asked))
        .startsWith("{\"useStatefulReconnect\":true,\"negotiateVersion\":1,");
    assertThat(negotiate("/hubs/echo" + asked)).doesNotContain("useStatefulReconnect");
    assertThat(negotiate("/hubs/stateful/negotiate?negotiateVersion=1"))
        .doesNotContain("useStatefulReconnect");
  }

  @Test
  void anotherMethodThanPostGets405() {
    FullHttpResponse r = http.exchange(request(HttpMethod.GET, "/hubs/echo/negotiate"));
    assertThat(r.status().code()).isEqualTo(405);
    assertThat(body(r)).isEqualTo("Method not allowed");
    assertThat(http.server.connectionCount()).isZero();
  }
}
