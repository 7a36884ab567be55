package org.jvmchat.client;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.protocol.testing.ModuleBoundary;

/** What a modular application can reach of the client: the public packages, no internals. */
class ModuleBoundaryTest {
  @Test
  void exportsThePublicPackagesOnly(@TempDir Path dir) throws Exception {
    ModuleBoundary.of(HubConnection.class)
        .assertExports(Set.of("org.jvmchat.client", "org.jvmchat.client.chat"), Map.of())
        .assertOnlyExportedPackagesCompileFromOutside(dir);
  }
}
