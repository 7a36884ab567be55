package org.jvmchat.hub.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.body;
import static org.jvmchat.hub.internal.server.EmbeddedHttp.request;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.ConnectionAdmission;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.Authenticator;
import org.jvmchat.hub.http.BearerTokenAuthenticator;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.http.NonBlockingAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.http.WouldBlockException;
import org.jvmchat.hub.internal.hub.EchoHub;

/**
 * Where hub requests are authenticated: a {@link NonBlockingAuthenticator} that answers is run on
 * the event loop (the executor is never used), one that would block and every other authenticator
 * run on the executor; the answers (200, 401, 500, 503) are the same either way.
 */
class HubAuthenticationTest {

  /** Runs tasks at once on the calling thread, recording which threads ran what. */
  static final class RecordingExecutor extends AbstractExecutorService {
    final AtomicInteger tasks = new AtomicInteger();
    volatile boolean full;

    @Override
    public void execute(Runnable command) {
      if (full) {
        throw new java.util.concurrent.RejectedExecutionException("full");
      }
      tasks.incrementAndGet();
      ON_EXECUTOR.set(true);
      try {
        command.run();
      } finally {
        ON_EXECUTOR.set(false);
      }
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  static final ThreadLocal<Boolean> ON_EXECUTOR = ThreadLocal.withInitial(() -> false);

  /**
   * Tokens "name" are users, "bad" is refused, "crash" fails, "remote:name" needs blocking work.
   * Records where each method ran ("try:loop", "authenticate:executor", ...).
   */
  static final class TestAuthenticator implements NonBlockingAuthenticator {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public HubUser tryAuthenticate(HttpRequest request)
        throws UnauthorizedException, WouldBlockException {
      calls.add("try:" + where());
      String token = BearerTokenAuthenticator.token(request);
      if (token != null && token.startsWith("remote:")) {
        throw WouldBlockException.INSTANCE;
      }
      return check(token);
    }

    @Override
    public HubUser authenticate(HttpRequest request) throws UnauthorizedException {
      calls.add("authenticate:" + where());
      String token = BearerTokenAuthenticator.token(request);
      return check(token != null && token.startsWith("remote:") ? token.substring(7) : token);
    }

    private static HubUser check(String token) throws UnauthorizedException {
      if (token == null) {
        return null;
      }
      if (token.equals("bad")) {
        throw new UnauthorizedException("bad token");
      }
      if (token.equals("crash")) {
        throw new IllegalStateException("authenticator bug");
      }
      return HubUser.of(token, token);
    }
  }

  static String where() {
    return ON_EXECUTOR.get() ? "executor" : "loop";
  }

  private static EmbeddedHttp server(
      Authenticator authenticator, RecordingExecutor executor, ConnectionAdmission admission) {
    HubMapping.Builder secure =
        HubMapping.builder("/hubs/secure", EchoHub::new).requireAuthenticatedUser(true);
    if (admission != null) {
      secure.admission(admission);
    }
    return new EmbeddedHttp(
        HubServer.builder().hub(secure.build()).authenticator(authenticator), executor);
  }

  private static FullHttpResponse negotiate(EmbeddedHttp http, String token) {
    return token == null
        ? http.exchange(request(HttpMethod.POST, "/hubs/secure/negotiate"))
        : http.exchange(
            request(HttpMethod.POST, "/hubs/secure/negotiate", "Authorization", "Bearer " + token));
  }

  @Test
  void aNonBlockingAuthenticatorRunsOnTheEventLoopAndTheExecutorIsNotUsed() {
    TestAuthenticator auth = new TestAuthenticator();
    RecordingExecutor executor = new RecordingExecutor();
    try (EmbeddedHttp http = server(auth, executor, null)) {
      FullHttpResponse ok = negotiate(http, "alice");
      assertThat(ok.status().code()).isEqualTo(200);
      assertThat(body(ok)).contains("\"connectionId\"");
      assertThat(http.server.connectionCount()).isEqualTo(1);

      FullHttpResponse refused = negotiate(http, "bad");
      assertThat(refused.status().code()).isEqualTo(401);
      assertThat(refused.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
      body(refused);

      FullHttpResponse anonymous = negotiate(http, null);
      assertThat(anonymous.status().code()).isEqualTo(401);
      body(anonymous);

      FullHttpResponse failed = negotiate(http, "crash");
      assertThat(failed.status().code()).isEqualTo(500);
      assertThat(body(failed)).isEqualTo("Authentication failed");

      assertThat(auth.calls).containsOnly("try:loop").hasSize(4);
      assertThat(executor.tasks).hasValue(0);

      // It does not need the executor, so a full one does not refuse it.
      executor.full = true;
      FullHttpResponse whileFull = negotiate(http, "bob");
      assertThat(whileFull.status().code()).isEqualTo(200);
      body(whileFull);
    }
  }

  @Test
  void aRequestAnsweredOnTheEventLoopLeavesTheConnectionIdleNotInARequestHead() {
    TestAuthenticator auth = new TestAuthenticator();
    try (EmbeddedHttp http =
        new EmbeddedHttp(
            HubServer.builder()
                .hub(
                    HubMapping.builder("/hubs/secure", EchoHub::new)
                        .requireAuthenticatedUser(true)
                        .build())
                .authenticator(auth)
                .httpLimits(
                    org.jvmchat.hub.http.HttpLimits.builder()
                        .requestHeadersTimeout(java.time.Duration.ofSeconds(1))
                        .keepAliveTimeout(java.time.Duration.ofSeconds(100))
                        .build()),
            new RecordingExecutor())) {
      FullHttpResponse ok = negotiate(http, "alice");
      assertThat(ok.status().code()).isEqualTo(200);
      body(ok);
      // Past the request-head timeout: the keep-alive connection waits for its next request.
      http.channel.advanceTimeBy(2, TimeUnit.SECONDS);
      http.channel.runScheduledPendingTasks();
      assertThat(http.channel.isOpen()).isTrue();
      assertThat((Object) http.channel.readOutbound()).isNull();
      FullHttpResponse again = negotiate(http, "alice");
      assertThat(again.status().code()).isEqualTo(200);
      body(again);
    }
  }

  @Test
  void aCheckThatWouldBlockHopsToTheExecutor() {
    TestAuthenticator auth = new TestAuthenticator();
    RecordingExecutor executor = new RecordingExecutor();
    try (EmbeddedHttp http = server(auth, executor, null)) {
      FullHttpResponse ok = negotiate(http, "remote:carol");
      assertThat(ok.status().code()).isEqualTo(200);
      body(ok);
      assertThat(auth.calls).containsExactly("try:loop", "authenticate:executor");
      assertThat(executor.tasks).hasValue(1);

      auth.calls.clear();
      FullHttpResponse refused = negotiate(http, "remote:bad");
      assertThat(refused.status().code()).isEqualTo(401);
      assertThat(refused.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
      body(refused);
      assertThat(auth.calls).containsExactly("try:loop", "authenticate:executor");

      // The executor's bound still holds for the requests that need it.
      executor.full = true;
      FullHttpResponse busy = negotiate(http, "remote:dave");
      assertThat(busy.status().code()).isEqualTo(503);
      assertThat(body(busy)).isEqualTo("The server is too busy");
    }
  }

  @Test
  void aBlockingAuthenticatorAlwaysRunsOnTheExecutor() {
    List<String> calls = new CopyOnWriteArrayList<>();
    Authenticator blocking =
        request -> {
          calls.add(where());
          String token = BearerTokenAuthenticator.token(request);
          return token == null ? null : HubUser.of(token, token);
        };
    RecordingExecutor executor = new RecordingExecutor();
    try (EmbeddedHttp http = server(blocking, executor, null)) {
      FullHttpResponse ok = negotiate(http, "erin");
      assertThat(ok.status().code()).isEqualTo(200);
      body(ok);
      FullHttpResponse anonymous = negotiate(http, null);
      assertThat(anonymous.status().code()).isEqualTo(401);
      body(anonymous);
      assertThat(calls).containsExactly("executor", "executor");
      assertThat(executor.tasks).hasValue(2);

      executor.full = true;
      FullHttpResponse busy = negotiate(http, "frank");
      assertThat(busy.status().code()).isEqualTo(503);
      body(busy);
    }
  }

  @Test
  void aTokenValidatorThatMayBlockMakesTheBearerAuthenticatorHop() {
    RecordingExecutor executor = new RecordingExecutor();
    List<String> calls = new CopyOnWriteArrayList<>();
    BearerTokenAuthenticator auth =
        new BearerTokenAuthenticator(
            token -> {
              calls.add(where());
              return HubUser.of(token, token);
            });
    try (EmbeddedHttp http = server(auth, executor, null)) {
      FullHttpResponse ok = negotiate(http, "gina");
      assertThat(ok.status().code()).isEqualTo(200);
      body(ok);
      assertThat(calls).containsExactly("executor");
      // Without a token there is nothing to validate: answered on the loop.
      FullHttpResponse anonymous = negotiate(http, null);
      assertThat(anonymous.status().code()).isEqualTo(401);
      body(anonymous);
      assertThat(executor.tasks).hasValue(1);
    }
  }

  @Test
  void anAdmissionStillRunsOnTheExecutorAfterAnEventLoopCheck() {
    TestAuthenticator auth = new TestAuthenticator();
    RecordingExecutor executor = new RecordingExecutor();
    List<String> admitted = new CopyOnWriteArrayList<>();
    ConnectionAdmission admission =
        new ConnectionAdmission() {
          @Override
          public HttpResponse admit(String hubPath, HttpRequest request) {
            admitted.add(request.user().id() + ":" + where());
            return request.user().id().equals("mallory")
                ? HttpResponse.text(429, "Too many connections")
                : null;
          }
        };
    try (EmbeddedHttp http = server(auth, executor, admission)) {
      FullHttpResponse ok = negotiate(http, "henry");
      assertThat(ok.status().code()).isEqualTo(200);
      body(ok);
      FullHttpResponse refused = negotiate(http, "mallory");
      assertThat(refused.status().code()).isEqualTo(429);
      body(refused);
      assertThat(auth.calls).containsExactly("try:loop", "try:loop");
      assertThat(admitted).containsExactly("henry:executor", "mallory:executor");
      assertThat(executor.tasks).hasValue(2);
    }
  }
}
