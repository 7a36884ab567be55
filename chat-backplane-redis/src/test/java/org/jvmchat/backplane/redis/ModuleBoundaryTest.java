package org.jvmchat.backplane.redis;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvmchat.protocol.testing.ModuleBoundary;

/** What a modular application can reach of the Redis backplane: its one package. */
class ModuleBoundaryTest {
  @Test
  void exportsThePublicPackage(@TempDir Path dir) throws Exception {
    ModuleBoundary.of(RedisBackplane.class)
        .assertExports(Set.of("org.jvmchat.backplane.redis"), Map.of())
        .assertOnlyExportedPackagesCompileFromOutside(dir);
  }
}
