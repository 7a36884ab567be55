package org.jvmchat.persistence.embedded;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.StoreOptions;

/**
 * Opens the embedded store on the directory given as argument, stores one message, prints {@code
 * READY <roomId>} and waits to be killed (for {@link EmbeddedRestartTest}).
 */
public final class EmbeddedStoreProcess {
  private EmbeddedStoreProcess() {}

  public static void main(String[] args) throws Exception {
    ChatStore store =
        ChatStores.open(StoreOptions.builder().dataDirectory(Path.of(args[0])).build());
    Room room = store.createRoom("orphan", false, "alice");
    store
        .append(NewMessage.user(room.id(), "alice", "Alice", "written by the killed process"))
        .get(30, TimeUnit.SECONDS);
    System.out.println("READY " + room.id());
    System.out.flush();
    Thread.sleep(TimeUnit.MINUTES.toMillis(5)); // the test kills this process long before
    store.close();
  }
}
