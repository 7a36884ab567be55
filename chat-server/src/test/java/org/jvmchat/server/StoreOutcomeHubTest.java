package org.jvmchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.InMemoryChatStore;
import org.jvmchat.persistence.StoreOutcomeUnknownException;
import org.jvmchat.persistence.StoreUnavailableException;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.support.TestHubClient;
import org.jvmchat.server.support.TestServer;

/**
 * What a sender is told when the store fails an append (chat-persistence-jdbi's {@code
 * CommitOutcomeTest} shows when it does): "nothing was stored" only when that is true, and "it may
 * appear in the history" when the store could not find out; nobody else gets the message live.
 */
class StoreOutcomeHubTest {
  private final AtomicReference<RuntimeException> nextAppend = new AtomicReference<>();
  private TestServer server;

  @BeforeEach
  void start() {
    ChatStore memory = new InMemoryChatStore();
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getName().equals("append")) {
            RuntimeException failure = nextAppend.getAndSet(null);
            if (failure != null) {
              return CompletableFuture.failedFuture(failure);
            }
          }
          try {
            return method.invoke(memory, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    ChatStore store =
        (ChatStore)
            Proxy.newProxyInstance(
                ChatStore.class.getClassLoader(), new Class<?>[] {ChatStore.class}, handler);
    server =
        new TestServer(
            ChatSettings.builder().port(0).host("127.0.0.1").shutdownGrace(Duration.ofSeconds(2)),
            store);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theSenderIsToldWhatIsKnownOfTheMessageAndNobodyGetsItLive() throws Exception {
    String room = server.createRoom("alice", "General", false);
    TestHubClient alice = server.connect("alice");
    TestHubClient bob = server.connect("bob");
    alice.call("JoinRoom", room);
    bob.call("JoinRoom", room);

    nextAppend.set(
        new StoreOutcomeUnknownException("lost during the commit", new IOException("reset")));
    assertThatThrownBy(() -> alice.call("SendMessage", room, "maybe"))
        .hasMessageContaining(
            "The message store did not confirm whether the message was stored; it may appear in"
                + " the history. Check the history before sending it again.");
    nextAppend.set(new StoreUnavailableException("down", new IOException("refused")));
    assertThatThrownBy(() -> alice.call("SendMessage", room, "not stored"))
        .hasMessageContaining(
            "The message store is unavailable; nothing was stored. Try again shortly.");

    JsonNode stored = alice.call("SendMessage", room, "stored");
    String id = stored.get("id").asText();
    bob.awaitEvent("ReceiveMessage", m -> m.get("id").asText().equals(id));
    // the failed sends reached nobody (checked after the next one arrived)
    assertThat(bob.events("ReceiveMessage"))
        .extracting(m -> m.get("content").asText())
        .containsExactly("stored");
    assertThat(alice.isClosed()).isFalse();
  }
}
