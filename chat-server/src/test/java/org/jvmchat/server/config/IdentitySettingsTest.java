package org.jvmchat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentitySettingsTest {
  @Test
  void readsTheProviderAndThePagesClientFromTheEnvironment() {
    ChatSettings s =
        SettingsLoader.load(
            Map.of(
                "JWT_AUTHORITY", "https://login.example.com/realms/chat",
                "OIDC_CLIENT_ID", "chat-web",
                "OIDC_SCOPES", " openid profile offline_access "));

    IdentitySettings id = s.identity();
    assertThat(id.authority()).isEqualTo("https://login.example.com/realms/chat");
    assertThat(id.authorityOrigin()).isEqualTo("https://login.example.com");
    assertThat(id.clientId()).isEqualTo("chat-web");
    assertThat(id.scopes()).isEqualTo("openid profile offline_access");
    assertThat(id.hasProvider()).isTrue();
  }

  @Test
  void noProviderByDefaultAndDefaultScopes() {
    IdentitySettings id = SettingsLoader.load(Map.of()).identity();

    assertThat(id.hasProvider()).isFalse();
    assertThat(id.authorityOrigin()).isNull();
    assertThat(id.scopes()).isEqualTo("openid profile");
  }

  @Test
  void aJwksUrlAloneIsAProvider() {
    IdentitySettings id =
        SettingsLoader.load(Map.of("JWT_JWKS_URL", "https://keys.example.com/jwks.json"))
            .identity();

    assertThat(id.hasProvider()).isTrue();
    assertThat(id.jwksUrl()).isEqualTo("https://keys.example.com/jwks.json");
  }

  @Test
  void badValuesFailWithOneReadableLine() {
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("JWT_AUTHORITY", "login.example.com")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("JWT_AUTHORITY must be an http(s) URL (was login.example.com)");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("JWT_JWKS_URL", "ftp://x/jwks")))
        .hasMessageStartingWith("JWT_JWKS_URL must be an http(s) URL");
    assertThatThrownBy(() -> SettingsLoader.load(Map.of("OIDC_CLIENT_ID", "chat-web")))
        .hasMessage("OIDC_CLIENT_ID needs JWT_AUTHORITY (the page signs in with that provider)");
  }
}
