package org.jvmchat.persistence.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.jvmchat.persistence.EmbeddedDatabaseUnavailableException;

class EmbeddedPlatformTest {
  private final ClassLoader loader = EmbeddedPlatformTest.class.getClassLoader();

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "Linux, amd64, postgres-linux-x86_64.txz",
    "Linux, aarch64, postgres-linux-arm_64.txz",
    "Mac OS X, x86_64, postgres-darwin-x86_64.txz",
    "Mac OS X, aarch64, postgres-darwin-arm_64.txz",
  })
  void theFourShippedPlatformsFindTheirBinaryOnTheClasspath(
      String osName, String osArch, String resource) {
    EmbeddedPlatform platform = EmbeddedPlatform.of(osName, osArch);
    assertThat(platform.binaryResource()).isEqualTo(resource);
    assertThat(loader.getResource(resource)).as(resource).isNotNull();
    platform.requireBinary(loader); // does not throw
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"Linux, s390x", "Linux, ppc64le", "Windows 11, amd64", "FreeBSD, amd64"})
  void anyOtherPlatformIsRefusedInOneLineThatSaysWhatToSetInstead(String osName, String osArch) {
    assertThatThrownBy(() -> EmbeddedPlatform.of(osName, osArch).requireBinary(loader))
        .isInstanceOf(EmbeddedDatabaseUnavailableException.class)
        .hasMessage(
            "no embedded PostgreSQL for "
                + osName
                + " "
                + osArch
                + " (it ships for linux-amd64, linux-arm64v8, darwin-amd64, darwin-arm64v8): set"
                + " DATABASE_URL to a PostgreSQL server, or CHAT_STORE=memory to keep everything"
                + " in memory");
  }

  @Test
  void thisMachineIsAShippedPlatform() {
    EmbeddedPlatform.current().requireBinary(loader);
  }
}
