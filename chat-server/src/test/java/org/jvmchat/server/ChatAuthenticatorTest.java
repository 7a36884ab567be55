package org.jvmchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.NonBlockingAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.server.auth.JwtTokens;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.hub.RoomDelivery;

/**
 * The chat server's authenticator checks HS256 tokens without blocking (so hub requests are
 * authenticated on the event loop), with the same answers as its blocking check: the user, the
 * {@code lastSeq} claim, 401s, and anonymous on the serverless API's paths.
 */
class ChatAuthenticatorTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static HttpRequest request(String path, String token, Map<String, List<String>> query) {
    return new HttpRequest(
        "GET",
        path,
        query,
        token == null ? Map.of() : Map.of("authorization", List.of("Bearer " + token)),
        Map.of(),
        null,
        "127.0.0.1",
        null);
  }

  private static String token(String user) {
    return new JwtTokens(SECRET.getBytes(), null, null, Duration.ofSeconds(30), Clock.systemUTC())
        .issue(user, "Name of " + user, Duration.ofMinutes(5));
  }

  @Test
  void hs256TokensAreCheckedWithoutBlockingWithTheBlockingChecksAnswers() throws Exception {
    for (String accessKey : new String[] {null, "an-access-key-of-at-least-32-bytes-long!"}) {
      ChatSettings settings =
          ChatSettings.builder().jwtSecret(SECRET).chatAccessKey(accessKey).build();
      Authenticator auth = ChatServer.authenticator(settings);
      assertThat(auth).isInstanceOf(NonBlockingAuthenticator.class);
      NonBlockingAuthenticator nonBlocking = (NonBlockingAuthenticator) auth;

      HttpRequest alice =
          request("/hubs/chat", token("alice"), Map.of("lastSeq", List.of("room1:12")));
      HubUser onLoop = nonBlocking.tryAuthenticate(alice);
      HubUser blocking = auth.authenticate(alice);
      assertThat(onLoop.id()).isEqualTo("alice").isEqualTo(blocking.id());
      assertThat(onLoop.name()).isEqualTo("Name of alice");
      assertThat(RoomDelivery.lastSeqs(onLoop)).isEqualTo(Map.of("room1", 12L));
      assertThat(RoomDelivery.lastSeqs(blocking)).isEqualTo(Map.of("room1", 12L));

      assertThat(nonBlocking.tryAuthenticate(request("/hubs/chat", null, Map.of()))).isNull();
      HttpRequest forged = request("/hubs/chat", token("alice") + "x", Map.of());
      assertThatThrownBy(() -> nonBlocking.tryAuthenticate(forged))
          .isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> auth.authenticate(forged)).isInstanceOf(UnauthorizedException.class);
      if (accessKey != null) {
        // Tokens of the serverless API are its own to check: anonymous here.
        HttpRequest api = request("/api/hubs/chat/:send", "not-a-user-token", Map.of());
        assertThat(nonBlocking.tryAuthenticate(api)).isNull();
        assertThat(auth.authenticate(api)).isNull();
      }
    }
  }
}
