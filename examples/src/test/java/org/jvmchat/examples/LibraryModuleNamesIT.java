package org.jvmchat.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.ai.AssistantClient;
import org.jvmchat.backplane.redis.RedisBackplane;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.hub.HubServer;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.embedded.ZonkyEmbeddedDatabaseProvider;
import org.jvmchat.protocol.HubProtocol;

/**
 * Every library jar names its module (a {@code module-info}, or {@code Automatic-Module-Name} where
 * the library has none yet), so a modular application can {@code requires} it by a stable name. A
 * failsafe test because it reads the packaged jars, which the reactor puts on the class path from
 * the {@code package} phase on (without the entry the JDK would derive a name from the file name,
 * like {@code chat.protocol}).
 */
class LibraryModuleNamesIT {
  static Stream<Arguments> libraries() {
    return Stream.of(
        Arguments.of(HubProtocol.class, "org.jvmchat.protocol"),
        Arguments.of(HubServer.class, "org.jvmchat.hub"),
        Arguments.of(RedisBackplane.class, "org.jvmchat.backplane.redis"),
        Arguments.of(ChatStores.class, "org.jvmchat.persistence"),
        Arguments.of(ZonkyEmbeddedDatabaseProvider.class, "org.jvmchat.persistence.embedded"),
        Arguments.of(AssistantClient.class, "org.jvmchat.ai"),
        Arguments.of(HubConnectionBuilder.class, "org.jvmchat.client"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("libraries")
  void theLibraryJarNamesItsModule(Class<?> type, String moduleName) throws Exception {
    Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(location.getFileName().toString())
        .as("%s should come from a packaged jar (run through the reactor's package phase)", type)
        .endsWith(".jar");
    assertThat(ModuleFinder.of(location).findAll())
        .singleElement()
        .extracting((ModuleReference m) -> m.descriptor().name())
        .isEqualTo(moduleName);
  }
}
