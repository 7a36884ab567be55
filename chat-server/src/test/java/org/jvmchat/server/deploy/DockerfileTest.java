package org.jvmchat.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.jvmchat.server.ops.HealthCheck;

/**
 * The image cannot be built here (no Docker daemon on the build machine), so the Dockerfile's
 * essentials are checked by reading it: a Maven/JDK 17 build stage, a Temurin 17 JRE runtime stage
 * that runs as a numeric non-root user, EXPOSEs 8080, checks /health/live with a class that exists,
 * starts java in exec form (SIGTERM reaches the JVM) and sizes the heap from the container.
 */
class DockerfileTest {
  record Instruction(String keyword, String args) {}

  /** The instructions of the Dockerfile: comments dropped, continuation lines joined. */
  static List<Instruction> instructions() {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : RepoFiles.read("Dockerfile").split("\n", -1)) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        String text = current.toString().strip();
        current.setLength(0);
        if (!text.isEmpty()) {
          int space = text.indexOf(' ');
          out.add(
              new Instruction(
                  text.substring(0, space).toUpperCase(Locale.ROOT),
                  text.substring(space + 1).strip()));
        }
      }
    }
    return out;
  }

  /** The instructions of the last stage (from its FROM on). */
  static List<Instruction> runtimeStage() {
    List<Instruction> all = instructions();
    int from = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return all.subList(from, all.size());
  }

  static List<Instruction> all(List<Instruction> in, String keyword) {
    return in.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  static Instruction last(List<Instruction> in, String keyword) {
    List<Instruction> found = all(in, keyword);
    assertThat(found).as(keyword).isNotEmpty();
    return found.get(found.size() - 1);
  }

  @Test
  void buildsWithMavenOnJdk17AndRunsOnTheTemurin17Jre() throws Exception {
    List<Instruction> froms = all(instructions(), "FROM");
    assertThat(froms).hasSizeGreaterThanOrEqualTo(2);
    assertThat(froms)
        .anySatisfy(
            f ->
                assertThat(f.args())
                    .startsWith("maven:")
                    .contains("temurin-17")
                    .endsWith(" build"));
    assertThat(froms.get(froms.size() - 1).args()).startsWith("eclipse-temurin:17-jre");
    assertThat(all(instructions(), "RUN"))
        .anySatisfy(r -> assertThat(r.args()).contains("mvn ").contains("-pl chat-server"));
    assertThat(all(runtimeStage(), "COPY"))
        .anySatisfy(
            c ->
                assertThat(c.args())
                    .startsWith("--from=build")
                    .contains("chat-server/target/chat-server.jar /app/chat-server.jar"));
  }

  @Test
  void runsAsANumericNonRootUser() {
    String user = last(runtimeStage(), "USER").args();
    String uid = user.split(":")[0];
    assertThat(uid).as("numeric, so Kubernetes' runAsNonRoot can check it").matches("[0-9]+");
    assertThat(Integer.parseInt(uid)).isGreaterThan(0);
    assertThat(all(runtimeStage(), "RUN"))
        .anySatisfy(r -> assertThat(r.args()).contains("useradd").contains("--uid " + uid));
  }

  @Test
  void exposesThePortAndHonoursPort() {
    assertThat(last(runtimeStage(), "EXPOSE").args()).isEqualTo("8080");
    assertThat(all(runtimeStage(), "ENV"))
        .anySatisfy(e -> assertThat(e.args()).contains("PORT=8080"));
  }

  @Test
  void theImageStartsInProduction() {
    // Issue #27: without it the image ran in Development (dev tokens for anyone) on 0.0.0.0.
    assertThat(all(runtimeStage(), "ENV"))
        .anySatisfy(e -> assertThat(e.args()).contains("CHAT_ENVIRONMENT=Production"));
  }

  @Test
  void sizesTheHeapFromTheContainer() {
    assertThat(all(runtimeStage(), "ENV"))
        .anySatisfy(
            e ->
                assertThat(e.args())
                    .containsPattern("JAVA_TOOL_OPTIONS=\"[^\"]*-XX:MaxRAMPercentage=75"));
  }

  @Test
  void startsJavaInExecForm() throws Exception {
    String entrypoint = last(runtimeStage(), "ENTRYPOINT").args();
    assertThat(entrypoint).startsWith("[");
    List<String> argv = List.of(new ObjectMapper().readValue(entrypoint, String[].class));
    assertThat(argv).containsExactly("java", "-jar", "/app/chat-server.jar");
    assertThat(all(runtimeStage(), "CMD")).isEmpty();
  }

  @Test
  void healthCheckAsksTheLivenessProbeWithAJavaClassThatExists() throws Exception {
    String check = last(runtimeStage(), "HEALTHCHECK").args();
    assertThat(check).contains("--interval=").contains("--start-period=");
    String cmd = check.substring(check.indexOf("CMD ") + 4).strip();
    List<String> argv = List.of(new ObjectMapper().readValue(cmd, String[].class));
    assertThat(argv.get(0)).isEqualTo("java");
    assertThat(argv).contains("/app/chat-server.jar", HealthCheck.class.getName());
    assertThat(HealthCheck.PATH).isEqualTo("/health/live");
  }

  @Test
  void theBuildContextLeavesOutBuildOutputAndNodeModules() {
    List<String> ignored = RepoFiles.read(".dockerignore").lines().map(String::strip).toList();
    assertThat(ignored).contains("**/target", "node_modules", ".git");
  }
}
