package org.jvmchat.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Node test file (node's own runner, the official {@code @microsoft/signalr} client) from a
 * JUnit test, for the checks that need a server the test has set up in its own JVM.
 */
public final class NodeTests {
  private NodeTests() {}

  /**
   * Runs {@code node --test file} with {@code env} added to the environment, prints its output, and
   * fails with that output unless it finishes within {@code timeout} with every test passed.
   */
  public static void run(Path file, Map<String, String> env, Duration timeout) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("node", "--test", "--test-reporter=spec", file.toString())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    File out = File.createTempFile("node-test", ".log");
    out.deleteOnExit();
    pb.redirectOutput(out);
    Process p = pb.start();
    try {
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      String output = Files.readString(out.toPath(), StandardCharsets.UTF_8);
      System.out.println(output);
      assertThat(done).as("node finished in time:\n" + output).isTrue();
      assertThat(p.exitValue()).as("node test result:\n" + output).isZero();
      assertThat(output).contains("fail 0").doesNotContain("✖");
    } finally {
      p.destroyForcibly();
    }
  }
}
