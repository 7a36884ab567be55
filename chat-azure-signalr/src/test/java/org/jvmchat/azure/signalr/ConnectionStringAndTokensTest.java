package org.jvmchat.azure.signalr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jvmchat.azure.signalr.internal.AccessTokens;
import org.jvmchat.hub.HubUser;

/** The connection string as the SDK parses it, and the tokens as the SDK makes them. */
class ConnectionStringAndTokensTest {
  static final String KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh";

  @Test
  void parsesThePortalsFormCaseInsensitivelyWithPortAndEndpointOverrides() {
    AzureSignalRConnectionString c =
        AzureSignalRConnectionString.parse(
            "endpoint=https://x.service.signalr.net/;ACCESSKEY=" + KEY + ";Version=1.0;Port=8443;");
    assertThat(c.endpoint()).isEqualTo("https://x.service.signalr.net");
    assertThat(c.accessKey()).isEqualTo(KEY);
    assertThat(c.port()).isEqualTo(8443);
    assertThat(c.serverEndpoint()).isEqualTo("https://x.service.signalr.net:8443");
    assertThat(c.clientEndpoint()).isEqualTo("https://x.service.signalr.net:8443");
    assertThat(c.toString()).doesNotContain(KEY);
    AzureSignalRConnectionString o =
        AzureSignalRConnectionString.parse(
            "Endpoint=https://x.service.signalr.net;AccessKey="
                + KEY
                + ";ClientEndpoint=https://clients.example.com;ServerEndpoint=http://10.0.0.1:5000");
    assertThat(o.clientEndpoint()).isEqualTo("https://clients.example.com");
    assertThat(o.serverEndpoint()).isEqualTo("http://10.0.0.1:5000");
  }

  @Test
  void refusesWhatTheServiceCannotUseWithoutShowingTheKey() {
    assertThatThrownBy(() -> AzureSignalRConnectionString.parse("AccessKey=" + KEY))
        .hasMessageContaining("no Endpoint");
    assertThatThrownBy(() -> AzureSignalRConnectionString.parse("Endpoint=https://x"))
        .hasMessageContaining("no AccessKey");
    assertThatThrownBy(
            () ->
                AzureSignalRConnectionString.parse(
                    "Endpoint=https://x;AccessKey=" + KEY + ";Version=2.0"))
        .hasMessageContaining("Version 2.0")
        .hasMessageNotContaining(KEY);
    assertThatThrownBy(
            () -> AzureSignalRConnectionString.parse("Endpoint=ftp://x;AccessKey=" + KEY))
        .hasMessageContaining("http(s)");
    assertThatThrownBy(
            () ->
                AzureSignalRConnectionString.parse(
                    "Endpoint=https://x;AuthType=azure.msi;ClientId=abc"))
        .hasMessageContaining("Only AccessKey");
  }

  @Test
  void hubNamesAreTheLastSegmentInLowerCaseWithTheApplicationPrefix() {
    AzureSignalROptions o =
        AzureSignalROptions.builder("Endpoint=https://x;AccessKey=" + KEY)
            .applicationName("MyApp")
            .build();
    assertThat(AzureSignalROptions.defaultHubName("/hubs/Chat")).isEqualTo("chat");
    assertThat(o.serviceHubName("/hubs/Chat")).isEqualTo("myapp_chat");
    assertThat(o.connectionCount()).isEqualTo(5);
  }

  @Test
  void tokensCarryTheAudienceExpiryAndTheUserAsTheSdkMakesThem() throws Exception {
    AccessTokens tokens = new AccessTokens(KEY, Duration.ofHours(1), Clock.systemUTC());
    SignedJWT server = SignedJWT.parse(tokens.server("https://x/server/?hub=chat", "srv-1"));
    assertThat(server.verify(new MACVerifier(KEY.getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(server.getJWTClaimsSet().getAudience())
        .containsExactly("https://x/server/?hub=chat");
    assertThat(server.getJWTClaimsSet().getStringClaim("nameid")).isEqualTo("srv-1");
    assertThat(server.getJWTClaimsSet().getExpirationTime()).isInTheFuture();
    SignedJWT client =
        SignedJWT.parse(
            tokens.client(
                "https://x/client/?hub=chat",
                new HubUser("alice", "Alice", Map.of("role", List.of("a", "b"), "exp", 5))));
    var c = client.getJWTClaimsSet();
    assertThat(c.getStringClaim("asrs.s.uid")).isEqualTo("alice");
    assertThat(c.getStringClaim("name")).isEqualTo("Alice");
    assertThat(c.getStringListClaim("role")).containsExactly("a", "b");
    assertThat(c.getStringClaim("asrs.u.exp")).isEqualTo("5"); // a user's system-named claim
    assertThatThrownBy(() -> new AccessTokens("short", Duration.ofHours(1), Clock.systemUTC()))
        .hasMessageContaining("32 bytes");
  }
}
