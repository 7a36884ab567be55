package org.jvmchat.persistence.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.MessagePage;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.TestDatabases;

/** The embedded store keeps everything across restarts and never leaves a postgres behind. */
class EmbeddedRestartTest {
  private Path dataDirectory;

  @BeforeEach
  void createDirectory() throws Exception {
    dataDirectory = Files.createTempDirectory("jvmchat-restart");
  }

  @AfterEach
  void deleteDirectory() throws Exception {
    assertThat(TestDatabases.postgresProcessesFor(cluster())).isEmpty();
    TestDatabases.deleteTree(dataDirectory);
  }

  private Path cluster() {
    return dataDirectory.resolve("pg");
  }

  private ChatStore open() {
    return ChatStores.open(StoreOptions.builder().dataDirectory(dataDirectory).build());
  }

  @Test
  void historyParticipantsAndGroupsSurviveARestart() throws Exception {
    Room general;
    Room secret;
    List<ChatMessage> written = new ArrayList<>();
    try (ChatStore store = open()) {
      assertThat(TestDatabases.postgresProcessesFor(cluster())).isNotEmpty();
      general = store.createRoom("General", false, "alice");
      secret = store.createRoom("Secret 🤫", true, "alice");
      store.addParticipant(secret.id(), "bob");
      store.joinGroup("alice", general.id());
      store.joinGroup("alice", secret.id());
      store.joinGroup("bob", secret.id());
      store.leaveGroup("alice", secret.id());
      for (int i = 1; i <= 130; i++) {
        written.add(
            store
                .append(NewMessage.user(general.id(), "alice", "Alice", "message " + i + " 😀"))
                .get(20, TimeUnit.SECONDS));
      }
    }
    assertThat(TestDatabases.postgresProcessesFor(cluster())).isEmpty();

    try (ChatStore store = open()) {
      assertThat(store.findRoom(general.id())).contains(general);
      assertThat(store.visibleRooms("bob")).containsExactly(general, secret);
      assertThat(store.visibleRooms("carol")).containsExactly(general);
      assertThat(store.isParticipant(secret.id(), "bob")).isTrue();
      assertThat(store.groupsOf("alice")).containsExactly(general.id());
      assertThat(store.groupsOf("bob")).containsExactly(secret.id());

      List<ChatMessage> read = new ArrayList<>();
      String before = null;
      do {
        MessagePage page = store.history(general.id(), before, 50);
        read.addAll(0, page.items());
        before = page.nextBefore();
      } while (before != null);
      assertThat(read).containsExactlyElementsOf(written);

      ChatMessage next =
          store
              .append(NewMessage.user(general.id(), "bob", "Bob", "after restart"))
              .get(20, TimeUnit.SECONDS);
      assertThat(next.seq()).isEqualTo(131);
    }
  }

  @Test
  void closeIsIdempotentAndAClosedStoreRefusesWork() throws Exception {
    ChatStore store = open();
    Room room = store.createRoom("r", false, "alice");
    store.close();
    store.close();
    assertThat(TestDatabases.postgresProcessesFor(cluster())).isEmpty();
    assertThat(store.ping().healthy()).isFalse();
    assertThatThrownBy(() -> store.append(NewMessage.user(room.id(), "a", "A", "x")).join())
        .cause()
        .isInstanceOf(ChatStoreException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> store.findRoom(room.id()))
        .isInstanceOf(ChatStoreException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aSecondStoreOnTheSameDataDirectoryIsRefusedReadably() throws Exception {
    try (ChatStore store = open()) {
      List<Long> postgres = TestDatabases.postgresProcessesFor(cluster());
      Room room = store.createRoom("still mine", false, "alice");
      assertThatThrownBy(this::open)
          .isInstanceOf(ChatStoreException.class)
          .hasMessageContaining("could not start the embedded PostgreSQL with data in " + cluster())
          .hasMessageContaining("in use by a running chat store");
      assertThat(TestDatabases.postgresProcessesFor(cluster())).isEqualTo(postgres);
      assertThat(store.append(NewMessage.user(room.id(), "alice", "A", "hi")).join().seq())
          .isEqualTo(1);
      assertThat(store.ping().healthy()).isTrue();
    }
  }

  @Test
  void aPostgresLeftRunningByAKilledProcessIsStoppedAndTheDataIsKept() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                EmbeddedStoreProcess.class.getName(),
                dataDirectory.toString())
            .redirectErrorStream(true)
            .start();
    String roomId;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> ready =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  String line;
                  while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                      return line.substring("READY ".length());
                    }
                  }
                  return null;
                } catch (java.io.IOException e) {
                  return null;
                }
              });
      roomId = ready.get(120, TimeUnit.SECONDS);
      assertThat(roomId).as("the child process opened the store").isNotNull();
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook runs, the postmaster is orphaned
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(TestDatabases.postgresProcessesFor(cluster())).isNotEmpty();

    try (ChatStore store = open()) {
      assertThat(store.findRoom(roomId)).isPresent();
      assertThat(store.history(roomId, null, 10).items())
          .extracting(ChatMessage::content)
          .containsExactly("written by the killed process");
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestDatabases.postgresProcessesFor(cluster()).isEmpty());
  }
}
