package org.jvmchat.azure.signalr;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.protocol.testing.ModuleBoundary;

/**
 * What a modular application can reach of chat-azure-signalr: the public packages, no internals.
 */
class ModuleBoundaryTest {
  @Test
  void exportsThePublicPackagesOnly(@TempDir Path dir) throws Exception {
    ModuleBoundary.of(AzureSignalR.class)
        .assertExports(
            Set.of("org.jvmchat.azure.signalr", "org.jvmchat.azure.signalr.protocol"), Map.of())
        .assertOnlyExportedPackagesCompileFromOutside(dir);
  }
}
