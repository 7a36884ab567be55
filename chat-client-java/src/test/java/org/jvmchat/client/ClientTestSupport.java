package org.jvmchat.client;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.jvmchat.client.testing.FakeHubServer;

/** A fake server per test, and connections that are stopped after it. */
abstract class ClientTestSupport {
  static final Duration WAIT = Duration.ofSeconds(30);
  FakeHubServer server;
  private final List<HubConnection> opened = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new FakeHubServer();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (HubConnection c : opened) {
      c.close();
    }
    server.close();
  }

  HubConnectionBuilder builder() {
    return HubConnectionBuilder.create(server.url().toString());
  }

  HubConnection track(HubConnection c) {
    opened.add(c);
    return c;
  }

  HubConnection started(HubConnectionBuilder b) {
    HubConnection c = track(b.build());
    join(c.start());
    return c;
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The cause a future failed with (fails the test when it succeeded or timed out). */
  static Throwable failure(CompletableFuture<?> f) {
    await().atMost(WAIT).until(f::isDone);
    try {
      f.join();
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    } catch (java.util.concurrent.CancellationException e) {
      return e;
    }
    throw new AssertionError("expected a failure, got a result");
  }
}
