package org.jvmchat.hub.servlet;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.protocol.testing.ModuleBoundary;

/** What a modular application can reach of the Servlet host: the public package, no internals. */
class ModuleBoundaryTest {
  @Test
  void exportsThePublicPackageOnly(@TempDir Path dir) throws Exception {
    ModuleBoundary.of(ServletHubHost.class)
        .assertExports(Set.of("org.jvmchat.hub.servlet"), Map.of())
        .assertOnlyExportedPackagesCompileFromOutside(dir);
  }
}
