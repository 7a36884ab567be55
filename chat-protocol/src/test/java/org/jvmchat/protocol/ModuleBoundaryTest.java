package org.jvmchat.protocol;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.protocol.testing.ModuleBoundary;

/** What a modular application can reach of chat-protocol: the public packages, no internals. */
class ModuleBoundaryTest {
  @Test
  void exportsThePublicPackagesAndTheSharedInternalsOnlyToTheServerAndTheClient(@TempDir Path dir)
      throws Exception {
    ModuleBoundary.of(HubProtocol.class)
        .assertExports(
            Set.of(
                "org.jvmchat.protocol",
                "org.jvmchat.protocol.json",
                "org.jvmchat.protocol.msgpack",
                "org.jvmchat.protocol.negotiate"),
            Map.of(
                "org.jvmchat.protocol.internal", Set.of("org.jvmchat.hub", "org.jvmchat.client")))
        .assertOnlyExportedPackagesCompileFromOutside(dir);
  }
}
