package org.jvmchat.hub.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.HttpRequest;

/** The public API without a container: the builder, the lifecycle, the authenticators. */
class ServletHubHostTest {

  @Test
  void theBuilderRefusesWhatCannotWork() {
    assertThatThrownBy(() -> ServletHubHost.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one hub");
    assertThatThrownBy(
            () -> ServletHubHost.builder().hub("/hubs/a", TestHub0::new).ioThreads(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServletHubHost.builder().hub("hubs/a", TestHub0::new))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theServletIsMappedToEveryHubAndBelowIt() {
    ServletHubHost hubs =
        ServletHubHost.builder().hub("/hubs/a", TestHub0::new).hub("/b", TestHub0::new).build();
    try {
      assertThat(hubs.urlPatterns()).containsExactly("/hubs/a", "/hubs/a/*", "/b", "/b/*");
      assertThat(hubs.servlet()).isSameAs(hubs.servlet());
      assertThat(hubs.hubContext("/b")).isNotNull();
      assertThatThrownBy(() -> hubs.hubContext("/c")).isInstanceOf(IllegalArgumentException.class);
      assertThat(hubs.connectionCount()).isZero();
    } finally {
      hubs.close();
    }
  }

  @Test
  void aStoppedHostDoesNotRestart() {
    ServletHubHost hubs = ServletHubHost.builder().hub("/hubs/a", TestHub0::new).build();
    hubs.start();
    hubs.start(); // idempotent
    hubs.stop(Duration.ofSeconds(1));
    hubs.stop(Duration.ofSeconds(1)); // idempotent
    assertThatThrownBy(hubs::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theContainerPrincipalIsTheUser() throws Exception {
    assertThat(ServletAuthenticator.containerPrincipal().authenticate(request("GET", null, null)))
        .isNull();
    HubUser user =
        ServletAuthenticator.containerPrincipal().authenticate(request("GET", null, () -> "alice"));
    assertThat(user.id()).isEqualTo("alice");
    assertThat(user.name()).isEqualTo("alice");
  }

  @Test
  void coreAuthenticatorsSeeTheAccessTokenQueryParameterOnGetOnly() throws Exception {
    ServletAuthenticator bearer =
        ServletAuthenticator.of(new BearerTokenAuthenticator(token -> HubUser.of(token, token)));
    assertThat(bearer.authenticate(request("GET", "id=x&access_token=bob%21", null)).id())
        .isEqualTo("bob!");
    assertThat(bearer.authenticate(request("POST", "id=x&access_token=bob", null))).isNull();

    HttpRequest seen = ServletAuthenticator.toHttpRequest(request("GET", "a=1&a=2&b", null));
    assertThat(seen.method()).isEqualTo("GET");
    assertThat(seen.path()).isEqualTo("/hubs/a");
    assertThat(seen.queryParameters()).containsEntry("a", List.of("1", "2"));
    assertThat(seen.query("b")).isEmpty();
    assertThat(seen.header("X-Test")).isEqualTo("yes");
    assertThat(seen.remoteAddress()).isEqualTo("10.0.0.1");
  }

  /** A request to {@code /hubs/a} with one header, {@code X-Test: yes}. */
  static HttpServletRequest request(String method, String query, Principal principal) {
    Map<String, List<String>> headers = Map.of("X-Test", List.of("yes"));
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            ServletHubHostTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getMethod" -> method;
                  case "getQueryString" -> query;
                  case "getUserPrincipal" -> principal;
                  case "getServletPath" -> "/hubs/a";
                  case "getPathInfo" -> null;
                  case "getRemoteAddr" -> "10.0.0.1";
                  case "getHeaderNames" -> Collections.enumeration(headers.keySet());
                  case "getHeaders" ->
                      Collections.enumeration(headers.getOrDefault((String) args[0], List.of()));
                  case "getHeader" ->
                      headers.getOrDefault((String) args[0], List.of()).stream()
                          .findFirst()
                          .orElse(null);
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }

  /** A hub with nothing in it. */
  public static class TestHub0 extends org.jvmchat.hub.Hub {}
}
