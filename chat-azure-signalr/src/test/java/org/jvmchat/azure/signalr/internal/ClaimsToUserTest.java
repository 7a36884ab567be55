package org.jvmchat.azure.signalr.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmchat.azure.signalr.protocol.ServiceMessage.Claim;
import org.jvmchat.hub.HubUser;

/** The user of an OpenConnection, from the claims the service forwards. */
class ClaimsToUserTest {
  @Test
  void theUserIdComesFromAsrsUidAndSystemClaimsAreLeftOut() {
    HubUser u =
        ServiceConnection.userOf(
            List.of(
                new Claim("aud", "https://x/client/?hub=chat"),
                new Claim("exp", "1"),
                new Claim("asrs.s.uid", "alice"),
                new Claim("asrs.s.aut", "Bearer"),
                new Claim("name", "Alice"),
                new Claim("role", "a"),
                new Claim("role", "b"),
                new Claim("asrs.u.exp", "42")));
    assertThat(u.id()).isEqualTo("alice");
    assertThat(u.name()).isEqualTo("Alice");
    assertThat(u.claims())
        .containsEntry("role", List.of("a", "b"))
        .containsEntry("exp", "42")
        .doesNotContainKeys("aud", "asrs.s.uid", "asrs.s.aut");
  }

  @Test
  void withoutAUidTheSubOrTheNameIdentifierIsTheUserElseAnonymous() {
    assertThat(ServiceConnection.userOf(List.of(new Claim("sub", "bob"))).id()).isEqualTo("bob");
    assertThat(
            ServiceConnection.userOf(List.of(new Claim(AccessTokens.NAME_IDENTIFIER, "carol")))
                .id())
        .isEqualTo("carol");
    assertThat(ServiceConnection.userOf(List.of(new Claim("aud", "x")))).isNull();
  }
}
