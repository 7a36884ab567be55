package org.jvmchat.ai;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.protocol.testing.ModuleBoundary;

/** What a modular application can reach of chat-ai: the public package, no internals. */
class ModuleBoundaryTest {
  @Test
  void exportsThePublicPackageOnly(@TempDir Path dir) throws Exception {
    ModuleBoundary.of(AssistantClient.class)
        .assertExports(Set.of("org.jvmchat.ai"), Map.of())
        .assertOnlyExportedPackagesCompileFromOutside(dir);
  }
}
