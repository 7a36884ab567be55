package org.jvmchat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** CONNECTION_TOKEN_SECRET, CHAT_INSTANCE_URL and CHAT_INSTANCE_ID. */
class InstanceSettingsTest {
  static final String JWT = "0123456789abcdef0123456789abcdef";

  @Test
  void theConnectionTokenKeyIsDerivedFromASharedJwtSecret() {
    ChatSettings one = SettingsLoader.load(Map.of("JWT_SECRET", JWT));
    ChatSettings two = SettingsLoader.load(Map.of("JWT_SECRET", JWT));
    assertThat(one.connectionTokenKey()).isNotNull().isEqualTo(two.connectionTokenKey());
    assertThat(one.connectionTokenKey()).isNotEqualTo(JWT.getBytes());
    ChatSettings other = SettingsLoader.load(Map.of("JWT_SECRET", JWT.replace('0', 'x')));
    assertThat(other.connectionTokenKey()).isNotEqualTo(one.connectionTokenKey());
  }

  @Test
  void withAGeneratedJwtSecretTokensStayLocal() {
    assertThat(SettingsLoader.load(Map.of()).connectionTokenKey()).isNull();
  }

  @Test
  void anExplicitSecretWins() {
    String secret = "a-connection-token-secret-of-32-bytes!";
    ChatSettings s =
        SettingsLoader.load(Map.of("JWT_SECRET", JWT, "CONNECTION_TOKEN_SECRET", secret));
    assertThat(s.connectionTokenKey()).isEqualTo(secret.getBytes());
    assertThat(SettingsLoader.load(Map.of("CONNECTION_TOKEN_SECRET", secret)).connectionTokenKey())
        .isEqualTo(secret.getBytes());
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CONNECTION_TOKEN_SECRET", "short")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("CONNECTION_TOKEN_SECRET must be at least 32 bytes long (was 5)");
  }

  @Test
  void theInstanceUrlAndId() {
    ChatSettings s =
        SettingsLoader.load(
            Map.of(
                "JWT_SECRET", JWT,
                "CHAT_INSTANCE_URL", "http://10.0.0.7:8080/",
                "CHAT_INSTANCE_ID", "pod-1",
                "HOSTNAME", "ignored"));
    assertThat(s.instance().url()).isEqualTo("http://10.0.0.7:8080");
    assertThat(s.instance().id()).isEqualTo("pod-1");
    assertThat(SettingsLoader.load(Map.of("HOSTNAME", "host-7")).instance().id())
        .as("the public header never names the host (issue #27)")
        .isNull();
    assertThat(s.toString()).contains("connectionTokenSecret=derived").doesNotContain(JWT);
  }

  @Test
  void badValuesStopTheStartWithOneLine() {
    assertThatThrownBy(
            () ->
                SettingsLoader.load(
                    Map.of("JWT_SECRET", JWT, "CHAT_INSTANCE_URL", "http://host:8080/chat")))
        .isInstanceOf(SettingsException.class)
        .hasMessage(
            "CHAT_INSTANCE_URL must look like http://host:port, without a path (was"
                + " http://host:8080/chat)");
    assertThatThrownBy(
            () -> SettingsLoader.load(Map.of("CHAT_INSTANCE_URL", "http://10.0.0.7:8080")))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("CHAT_INSTANCE_URL needs CONNECTION_TOKEN_SECRET or JWT_SECRET");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("CHAT_INSTANCE_ID", "a b")))
        .isInstanceOf(SettingsException.class);
  }
}
