package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * This library has no embedded PostgreSQL of its own (chat-persistence-embedded is not on this
 * module's test classpath): asking for one says, in one line, what to do instead.
 */
class EmbeddedWithoutProviderTest {
  @Test
  void theDefaultSettingsWithoutTheEmbeddedModuleFailInOneReadableLine() throws Exception {
    Path dir = Files.createTempDirectory("jvmchat-no-embedded");
    try {
      StoreOptions settings = StoreOptions.builder().dataDirectory(dir).build();
      assertThatThrownBy(() -> ChatStores.open(settings))
          .isInstanceOf(EmbeddedDatabaseUnavailableException.class)
          .hasMessage(
              "no embedded PostgreSQL: DATABASE_URL is not set and"
                  + " org.jvmchat:chat-persistence-embedded is not on the classpath; set"
                  + " DATABASE_URL to a PostgreSQL server, or CHAT_STORE=memory to keep"
                  + " everything in memory");
    } finally {
      TestDatabases.deleteTree(dir);
    }
  }
}
