package org.jvmchat.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue #27, finding 4: the file cache kept an entry for every requested name, found or not, so
 * anyone could grow it without a token. Only files that exist are kept now.
 */
class StaticFilesTest {
  @Test
  void missesAreNotRemembered() {
    StaticFiles files = new StaticFiles();
    for (int i = 0; i < 2_000; i++) {
      assertThat(files.serve("js/made-up-" + i + ".js").status()).isEqualTo(404);
    }
    assertThat(files.cachedFiles()).isZero();
  }

  @Test
  void filesThatExistAreReadOnceAndKept() {
    StaticFiles files = new StaticFiles();
    assertThat(files.serve("index.html").status()).isEqualTo(200);
    assertThat(files.serve("index.html").status()).isEqualTo(200);
    assertThat(files.cachedFiles()).isEqualTo(1);
  }
}
