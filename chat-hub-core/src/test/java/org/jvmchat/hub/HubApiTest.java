package org.jvmchat.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** The public configuration API: options, builder validation, hub method discovery. */
class HubApiTest {

  public static class OverloadedHub extends Hub {
    public String send(String s) {
      return s;
    }

    public String Send(String s, String t) {
      return s + t;
    }
  }

  public static class RenamedHub extends Hub {
    @HubMethodName("SendMessage")
    public String internalName(String s) {
      return "renamed:" + s;
    }
  }

  @Test
  void optionDefaultsAreAspNetCoreDefaults() {
    HubOptions o = HubOptions.defaults();
    assertThat(o.maxMessageSize()).isEqualTo(32 * 1024);
    assertThat(o.keepAliveInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(o.clientTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.handshakeTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(o.disconnectTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(o.longPollTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(o.streamBufferCapacity()).isEqualTo(10);
    assertThat(o.statefulReconnectBufferSize()).isEqualTo(100_000);
    assertThat(o.allowStatefulReconnects()).isFalse();
    assertThat(o.detailedErrors()).isFalse();
    assertThat(o.transports()).containsExactlyInAnyOrder(HttpTransportType.values());
    assertThat(o.protocols()).containsExactlyInAnyOrder("json", "messagepack");
  }

  @Test
  void toBuilderKeepsEverySetting() {
    HubOptions o =
        HubOptions.builder()
            .maxMessageSize(1000)
            .keepAliveInterval(Duration.ofSeconds(1))
            .clientTimeout(Duration.ofSeconds(2))
            .detailedErrors(true)
            .allowStatefulReconnects(true)
            .transports(EnumSet.of(HttpTransportType.LongPolling))
            .protocols(Set.of("json"))
            .build();
    HubOptions copy = o.toBuilder().build();
    assertThat(copy.maxMessageSize()).isEqualTo(1000);
    assertThat(copy.keepAliveInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(copy.clientTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(copy.detailedErrors()).isTrue();
    assertThat(copy.allowStatefulReconnects()).isTrue();
    assertThat(copy.transports()).containsExactly(HttpTransportType.LongPolling);
    assertThat(copy.protocols()).containsExactly("json");
  }

  @Test
  void invalidOptionsAreRefusedAtBuild() {
    assertThatThrownBy(() -> HubOptions.builder().maxMessageSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMessageSize");
    assertThatThrownBy(() -> HubOptions.builder().keepAliveInterval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepAliveInterval");
    assertThatThrownBy(() -> HubOptions.builder().clientTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HubOptions.builder().transports(Set.of()).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HubOptions.builder().protocols(Set.of("xml")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("xml");
  }

  @Test
  void hubPathsMustStartWithASlashAndNotEndWithOne() {
    assertThatThrownBy(() -> HubServer.builder().hub("hubs/chat", RenamedHub::new))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HubServer.builder().hub("/hubs/chat/", RenamedHub::new))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HubServer.builder().port(70000).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aHubMappingDefaultsToDefaultOptionsNoFiltersAndAnonymousUsers() {
    HubMapping m = HubMapping.builder("/hubs/r", RenamedHub::new).build();
    assertThat(m.path()).isEqualTo("/hubs/r");
    assertThat(m.options().maxMessageSize()).isEqualTo(HubOptions.DEFAULT_MAX_MESSAGE_SIZE);
    assertThat(m.filters()).isEmpty();
    assertThat(m.requireAuthenticatedUser()).isFalse();
    assertThat(m.factory().get()).isInstanceOf(RenamedHub.class);
  }

  @Test
  void aHubMappingKeepsItsOptionsFiltersInOrderAndTheUserRequirement() {
    HubFilter first = new HubFilter() {};
    HubFilter second = new HubFilter() {};
    HubFilter third = new HubFilter() {};
    HubOptions options = HubOptions.builder().maxMessageSize(1024).build();
    HubMapping.Builder b =
        HubMapping.builder("/hubs/r", RenamedHub::new)
            .options(options)
            .filter(first)
            .filters(List.of(second, third))
            .requireAuthenticatedUser(true);
    HubMapping m = b.build();
    assertThat(m.options()).isSameAs(options);
    assertThat(m.filters()).containsExactly(first, second, third);
    assertThat(m.requireAuthenticatedUser()).isTrue();
    assertThatThrownBy(() -> m.filters().add(first))
        .isInstanceOf(UnsupportedOperationException.class);
    // A built mapping does not change with its builder.
    b.filter(first).requireAuthenticatedUser(false);
    assertThat(m.filters()).hasSize(3);
    assertThat(m.requireAuthenticatedUser()).isTrue();
  }

  @Test
  void aHubMappingRefusesABadPathAtOnce() {
    assertThatThrownBy(() -> HubMapping.builder("hubs/r", RenamedHub::new))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hubs/r");
    assertThatThrownBy(() -> HubMapping.builder("/hubs/r", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void overloadedHubMethodsAreRefusedWhenTheServerIsBuilt() {
    assertThatThrownBy(() -> HubServer.builder().hub("/hubs/o", OverloadedHub::new).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overloads are not supported");
  }

  @Test
  void hubMethodNameRenamesAMethod() {
    HubServer server = TestServers.start(HubServer.builder().hub("/hubs/r", RenamedHub::new));
    try (TestHubClient c = TestHubClient.connect(TestServers.url(server, "/hubs/r"))) {
      assertThat(c.invokeAndAwait("sendmessage", "x").result()).isEqualTo("renamed:x");
      assertThat(c.invokeAndAwait("internalName", "x").error())
          .isEqualTo("Unknown hub method 'internalName'");
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void connectionListenerSeesConnectionsMessagesAndInvocations() {
    java.util.concurrent.ConcurrentLinkedQueue<String> seen =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    HubServer server =
        TestServers.start(
            HubServer.builder()
                .hub("/hubs/r", RenamedHub::new)
                .listener(
                    new ConnectionListener() {
                      @Override
                      public void connected(
                          String hubPath, String connectionId, String transport, String protocol) {
                        seen.add("connected " + hubPath + " " + transport + " " + protocol);
                      }

                      @Override
                      public void disconnected(
                          String hubPath, String connectionId, String transport, String protocol) {
                        seen.add("disconnected " + hubPath + " " + transport + " " + protocol);
                      }

                      @Override
                      public void invocationCompleted(
                          String hubPath, String method, long nanos, boolean failed) {
                        seen.add("invocation " + method + " " + failed);
                      }
                    }));
    try {
      try (TestHubClient c = TestHubClient.connect(TestServers.url(server, "/hubs/r"))) {
        c.invokeAndAwait("sendMessage", "x");
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(List.copyOf(seen))
                      .containsExactly(
                          "connected /hubs/r WebSockets json",
                          "invocation SendMessage false",
                          "disconnected /hubs/r WebSockets json"));
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void stopIsIdempotentAndFreesThePortAndItsThreads() throws Exception {
    HubServer server = TestServers.start(HubServer.builder().hub("/hubs/r", RenamedHub::new));
    try (TestHubClient c = TestHubClient.connect(TestServers.url(server, "/hubs/r"))) {
      c.invokeAndAwait("sendMessage", "x");
    }
    int port = server.port();
    server.stop(Duration.ZERO);
    server.close();
    try (java.net.ServerSocket reuse = new java.net.ServerSocket()) {
      reuse.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      assertThat(reuse.isBound()).isTrue();
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .noneMatch(name -> name.startsWith("jvmchat-")));
  }

  @Test
  void stopClosesIdleKeepAliveConnections() throws Exception {
    HubServer server = TestServers.start(HubServer.builder().hub("/hubs/r", RenamedHub::new));
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      java.io.InputStream in = socket.getInputStream();
      socket
          .getOutputStream()
          .write(
              "GET /no-such-page HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      // The whole 404 (headers, then Content-Length bytes): the connection is then idle, kept
      // alive.
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        assertThat(b).as("response so far: %s", head).isNotNegative();
        head.append((char) b);
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 404").doesNotContainIgnoringCase("close");
      java.util.regex.Matcher length =
          java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      assertThat(length.find()).isTrue();
      assertThat(in.readNBytes(Integer.parseInt(length.group(1))))
          .hasSize(Integer.parseInt(length.group(1)));

      server.stop(Duration.ZERO);

      // A client's pool must see this connection end, not wait on it for an answer: EOF (or a
      // reset) at once, not the read timeout.
      int next;
      try {
        next = in.read();
      } catch (java.net.SocketException reset) {
        next = -1;
      }
      assertThat(next).isEqualTo(-1);
    } finally {
      server.stop(Duration.ZERO);
    }
  }
}
