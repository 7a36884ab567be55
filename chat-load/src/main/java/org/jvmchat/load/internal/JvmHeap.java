package org.jvmchat.load.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The live heap of a server that is a JVM, through {@code jcmd <pid> GC.class_histogram}: it runs a
 * full collection and counts what survives, so it says what the server's objects really hold,
 * whatever the heap's sizing policy left in RSS. Also lets G1 give freed regions back before RSS is
 * read. For processes that are not JVMs (Node) every method answers "not applicable".
 */
public final class JvmHeap {
  private JvmHeap() {}

  /** Whether {@code pid} runs a JVM (its command line names java). */
  public static boolean isJvm(Long pid) {
    if (pid == null) {
      return false;
    }
    try {
      byte[] cmd = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
      String first = new String(cmd, StandardCharsets.UTF_8).split("\u0000", 2)[0];
      return first.endsWith("java");
    } catch (IOException e) {
      return false;
    }
  }

  /** Bytes of live objects after a full GC, or -1 when it cannot be read. */
  public static long liveBytes(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return -1;
      }
      return totalOf(out);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The bytes of the {@code Total} line of a class histogram, or -1. */
  static long totalOf(String histogram) {
    for (String line : histogram.split("\n")) {
      String t = line.strip();
      if (t.startsWith("Total")) {
        String[] parts = t.split("\\s+");
        return Long.parseLong(parts[parts.length - 1]);
      }
    }
    return -1;
  }
}
