package org.jvmchat.persistence.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStoreContractTest;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.TestDatabases;

/** The contract against the embedded PostgreSQL (zonky), in a fresh data directory. */
class EmbeddedChatStoreContractTest extends ChatStoreContractTest {
  private Path dataDirectory;

  @Override
  protected ChatStore openStore() throws Exception {
    dataDirectory = Files.createTempDirectory("jvmchat-embedded-contract");
    return ChatStores.open(StoreOptions.builder().dataDirectory(dataDirectory).build());
  }

  @Override
  protected void closeStore(ChatStore store) throws Exception {
    store.close();
    assertThat(TestDatabases.postgresProcessesFor(dataDirectory.resolve("pg"))).isEmpty();
    TestDatabases.deleteTree(dataDirectory);
  }
}
